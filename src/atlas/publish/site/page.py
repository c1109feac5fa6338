"""The HTML page around the map: header, legend, sources, what could not be drawn, and the
tables of the modelled plumes.

The page (``templates/index.html``) and the map's region and script (``templates/map.html``)
are templates of the site's one autoescaping environment (:mod:`.templates`), so every text
taken from a layer is escaped; the only markup passed in is :class:`~markupsafe.Markup` rendered
by the same environment (the legend of :mod:`.legend`, the outlines of :mod:`.popups`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import branca.element
import folium
import geopandas as gpd
import jinja2
from branca.element import Figure
from markupsafe import Markup

from atlas.load import Layers
from atlas.publish.site.features import located
from atlas.publish.site.legend import legend_html
from atlas.publish.site.overlays import plume_hues, plume_times
from atlas.publish.site.plume_tables import PlumeTable, PlumeView, plume_tables
from atlas.publish.site.popups import pond_popup, text_of
from atlas.publish.site.templates import template

__all__ = ["AtlasMap", "AtlasPage", "Listed", "PageText", "page_text"]

TITLE = "Rare-earth mines, tailings and their surroundings"


@dataclass(frozen=True)
class Listed:
    """A feature listed in the side panel instead of drawn (it has no location)."""

    name: str
    facts: str
    notes: str
    source: str


@dataclass(frozen=True)
class PageText:
    """Everything the page says besides the map; plain text unless typed :class:`Markup`."""

    title: str
    summary: str
    legend_html: Markup
    sources: tuple[str, ...]
    tiles: bool
    outlines: tuple[Markup, ...]
    unlocated_sites: tuple[Listed, ...]
    unlocated_observations: tuple[Listed, ...]
    projections: tuple[PlumeTable, ...] = ()
    plume_hues: Mapping[str, str] = field(default_factory=dict)
    plume_times: tuple[tuple[str, str], ...] = ()


def _unlocated(frame: gpd.GeoDataFrame | None, facts: tuple[str, ...]) -> tuple[Listed, ...]:
    """Rows of ``frame`` without a geometry, sorted by name, with a one-line summary of facts."""
    if frame is None:
        return ()
    missing = frame[frame.geometry.isna() | frame.geometry.is_empty]
    listed = [
        Listed(
            name=text_of(row.get("name")) or "(unnamed)",
            facts="; ".join(t for t in (text_of(row.get(c)) for c in facts) if t),
            notes=text_of(row.get("notes")) or "",
            source=text_of(row.get("source")) or "",
        )
        for _, row in missing.iterrows()
    ]
    return tuple(sorted(listed, key=lambda item: item.name.casefold()))


def _sources(layers: Layers, tiles: bool, plumes: Sequence[PlumeView]) -> tuple[str, ...]:
    usgs = layers.usgs_sites
    drawn = len(located(usgs))
    sources = [
        "Basemap: Natural Earth 1:50m countries, lakes and rivers; near the sites, Natural "
        "Earth 1:10m rivers and lakes (the lines distances are measured to). Public domain, "
        "naturalearthdata.com.",
        "Clustered points: USGS Mineral Resources Data System (MRDS), OFR 02-189 (rare-earth "
        "mines, deposits and occurrences) and OFR 2009-1139 (carbonatites of the world). "
        f"Public domain. {drawn} of {len(usgs)} records are drawn; {len(usgs) - drawn} have "
        "no coordinates.",
        "Curated sites: compiled for this atlas, each with its own source (USGS records, "
        "Wikipedia infoboxes, Natural Earth populated places); only coordinates read from a "
        "source are drawn.",
        "Distances: metres measured in the UTM zone of each site, shown in kilometres.",
    ]
    if plumes:
        sources.append(
            "Plume outlines: MODELLED by this atlas from the scenarios "
            f"({', '.join(p.name for p in plumes)}), not measured; their parameters, "
            "sources and assumptions are in the tables below the map."
        )
    if tiles:
        sources.append(
            "Optional online tiles: OpenStreetMap contributors, ODbL (openstreetmap.org/copyright)."
        )
    return tuple(sources)


def page_text(layers: Layers, *, tiles: bool, plumes: Sequence[PlumeView] = ()) -> PageText:
    """What the page says about ``layers`` and the ``plumes`` (see :class:`PageText`)."""
    sites = layers.sites
    outlines = tuple(pond_popup(row) for _, row in layers.tailings_pond.iterrows())
    return PageText(
        title=TITLE,
        summary=(
            "Where rare earths are mined, processed and stored as tailings, with the rivers "
            "and towns nearby. Built from public-domain data; works offline."
        ),
        legend_html=legend_html(sites.get("kind", [])),
        sources=_sources(layers, tiles, plumes),
        tiles=tiles,
        outlines=outlines,
        unlocated_sites=_unlocated(sites, ("kind", "commodity", "country")),
        unlocated_observations=_unlocated(layers.observations, ("measured", "result", "date")),
        projections=plume_tables(plumes),
        plume_hues=plume_hues(plumes),
        plume_times=plume_times(plumes),
    )


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


class AtlasPage(Figure):
    """A folium Figure rendered through the atlas page template (``templates/index.html``).

    branca renders each element from its own template, then wraps the *output* in
    ``Element(output)``, which compiles that output as template source a second time. Output
    holds data (popups, names, descriptions), so ``{{ 7*7 }}`` in a layer or scenario would be
    evaluated (and could run Python), and ``{% raw %}`` would crash the build. While a page
    renders, in its own thread only, such wrapped output is kept as text
    (:func:`_branca_template`); the elements' own templates, compiled when their classes are
    defined, are unaffected. Every way of rendering the page (``render``, ``save``,
    ``_repr_html_``) goes through :meth:`render`.
    """

    def __init__(self, page: PageText) -> None:
        super().__init__(title=page.title)
        self._template = template("index.html")
        self.page = page

    def render(self, **kwargs: Any) -> str:
        """The HTML of the page; data in it is never compiled as a template."""
        branca.element.Template = _branca_template  # type: ignore[misc, assignment]
        _RENDERING.depth = getattr(_RENDERING, "depth", 0) + 1
        try:
            return str(super().render(**kwargs))
        finally:
            _RENDERING.depth -= 1


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
