"""A page holding a folium map, rendered through the site's templates without ever compiling
data as a template; and the map itself, laid out by the site's style sheet.

The page's template (one of ``templates/``, extending ``base.html`` or ``embed_base.html``, see
:mod:`.pages`) belongs to the site's one autoescaping environment (:mod:`.templates`), so every
text taken from a layer is escaped; the only markup passed in is :class:`~markupsafe.Markup`
rendered by the same environment.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import branca.element
import folium
import jinja2
from branca.element import CssLink, Element, Figure, JavascriptLink

from atlas.publish.site.templates import template

if TYPE_CHECKING:
    from atlas.publish.site.pages import Chrome

__all__ = ["AtlasMap", "AtlasPage"]

_RENDERING = threading.local()


class _RenderedText:
    """Stands in for a compiled template: keeps its text and renders it unchanged."""

    def __init__(self, source: str) -> None:
        self._source = source

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The text, unchanged."""
        return self._source


def _branca_template(source: str) -> Any:
    """What :class:`branca.element.Element` compiles its text with: the text itself while this
    thread renders an :class:`AtlasPage` (it is rendered output, holding data), a Jinja
    template otherwise (branca's own behaviour, for every other caller)."""
    if getattr(_RENDERING, "depth", 0):
        return _RenderedText(source)
    return jinja2.Template(source)


def _elements(element: Element) -> Iterator[Element]:
    """``element`` and all its descendants, depth first, in insertion order."""
    yield element
    for child in element._children.values():
        yield from _elements(child)


def _is_relative(url: str) -> bool:
    """True for a URL relative to the page (no scheme, no host, not from the server root)."""
    return ":" not in url.split("/", 1)[0] and not url.startswith(("/", "#"))


class AtlasPage(Figure):
    """A folium Figure rendered through a page template of the site (see :mod:`.pages`).

    branca renders each element from its own template, then wraps the *output* in
    ``Element(output)``, which compiles that output as template source a second time. Output
    holds data (popups, names, descriptions), so ``{{ 7*7 }}`` in a layer or scenario would be
    evaluated (and could run Python), and ``{% raw %}`` would crash the build. While a page
    renders, in its own thread only, such wrapped output is kept as text
    (:func:`_branca_template`); the elements' own templates, compiled when their classes are
    defined, are unaffected. Every way of rendering the page (``render``, ``save``,
    ``_repr_html_``) goes through :meth:`render`.

    Parameters
    ----------
    template_name : str
        The page's template in ``templates/``; it gets ``this`` (the page), ``kwargs``,
        ``chrome`` and ``values``.
    chrome : Chrome
        The page's place in the site (:class:`atlas.publish.site.pages.Chrome`); the map's
        script and style links are made relative to ``chrome.root``.
    **values
        The template's other variables.
    """

    def __init__(self, template_name: str, chrome: Chrome, /, **values: Any) -> None:
        super().__init__(title=chrome.title)
        del self.header._children["meta_http"]  # base.html declares the charset
        self._template = template(template_name)
        self.chrome = chrome
        self.values = values

    def _link_from_page(self) -> None:
        """Prefix the relative script and style links the elements registered with the
        path from this page to the site root."""
        for child in self.header._children.values():
            if isinstance(child, JavascriptLink | CssLink) and _is_relative(child.url):
                child.url = self.chrome.root + child.url

    def render(self, **kwargs: Any) -> str:
        """The HTML of the page; data in it is never compiled as a template."""
        branca.element.Template = _branca_template  # type: ignore[misc, assignment]
        _RENDERING.depth = getattr(_RENDERING, "depth", 0) + 1
        try:
            for child in self._children.values():
                child.render(**kwargs)
            self._link_from_page()
            html = self._template.render(
                this=self, kwargs=kwargs, chrome=self.chrome, **self.values
            )
            return str(html)
        finally:
            _RENDERING.depth -= 1

    def render_numbered(self) -> str:
        """:meth:`render` with folium's random element ids replaced by a counter, so the same
        page gives the same bytes every build."""
        index = 0
        for part in (self, self.header, self.html, self.script):
            for element in _elements(part):
                element._id = f"{index:04d}"
                index += 1
        return self.render()


class AtlasMap(folium.Map):
    """A folium Map without folium's page styles: a labelled region laid out by ``atlas.css``,
    drawn by ``templates/map.html``.

    folium's own header forbids zooming the page on phones (``user-scalable=no``) and
    positions the map absolutely; the page template and ``atlas.css`` do both instead.
    """

    _template = template("map.html")

    def __init__(self, *, min_zoom: int = 1, max_zoom: int = 18, **kwargs: Any) -> None:
        super().__init__(tiles=None, **kwargs)
        self._name = "Map"
        # folium passes zoom limits to its default tile layer only; the marker clusters
        # need them on the map itself.
        self.options.update(min_zoom=min_zoom, max_zoom=max_zoom)
