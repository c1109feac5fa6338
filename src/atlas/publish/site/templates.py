"""The one Jinja environment of the site: every piece of markup on the page comes from its
templates (``templates/``), never from Python strings.

Autoescaping is on for every template, whatever its extension, so a value passed to a
template is escaped unless it is :class:`~markupsafe.Markup` made by another template of this
environment. Data (layer attributes, scenario text, file names) only ever reaches a template as
a value, never as its source. Undefined names fail loudly instead of rendering as nothing.
"""

from __future__ import annotations

from typing import Any

from folium.template import tojavascript
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

__all__ = ["ENVIRONMENT", "macro", "render", "template"]


def _check_keys(value: Any) -> None:
    """Refuse mapping keys that are not identifiers: folium writes keys unescaped."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not (isinstance(key, str) and key.isidentifier()):
                raise ValueError(f"script option keys must be identifiers, got {key!r}")
            _check_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item)


def _script_value(value: Any) -> Markup:
    """folium's ``tojavascript`` filter for this environment: a Python value as JavaScript,
    for use inside a ``<script>`` only.

    Its values are JSON with ``<``, ``>``, ``&`` and ``'`` written as ``\\uXXXX`` escapes (or a
    :class:`folium.utilities.JsCode` written by the atlas itself), so they cannot close the
    script element; folium writes mapping keys as they are, so keys must be identifiers. The
    result is marked safe so that autoescaping does not turn its quotes into HTML character
    references, which would break the script.
    """
    _check_keys(value)
    return Markup(tojavascript(value))


ENVIRONMENT = Environment(
    loader=PackageLoader("atlas.publish.site", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
    undefined=StrictUndefined,
)
"""The site's Jinja environment: autoescaping, strict about undefined names."""
ENVIRONMENT.filters["tojavascript"] = _script_value


def template(name: str) -> Template:
    """The template ``templates/<name>`` (for folium/branca elements, which render their own)."""
    return ENVIRONMENT.get_template(name)


def render(name: str, /, **values: Any) -> Markup:
    """The whole template ``templates/<name>`` rendered with ``values``.

    Parameters
    ----------
    name : str
        File name of the template, e.g. ``"index.html"``.
    **values
        The template's variables; plain text is escaped, :class:`~markupsafe.Markup` is not.

    Returns
    -------
    markupsafe.Markup
        The rendered markup.
    """
    return Markup(template(name).render(**values))


def macro(name: str, macro_name: str, /, **values: Any) -> Markup:
    """The macro ``macro_name`` of the template ``templates/<name>`` called with ``values``.

    Parameters
    ----------
    name : str
        File name of the template holding the macro, e.g. ``"popups.html"``.
    macro_name : str
        The macro, e.g. ``"site"``.
    **values
        The macro's arguments, by name; plain text is escaped, :class:`~markupsafe.Markup` is
        not.

    Returns
    -------
    markupsafe.Markup
        The rendered markup.
    """
    return Markup(getattr(template(name).module, macro_name)(**values))
