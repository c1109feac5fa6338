"""The Jinja environment of the XML the exports write (QGIS styles, layer metadata): every
document comes from a template in ``templates/``, never from Python strings.

Autoescaping is on for every template, so a value (a layer's name, a scenario's text, a
site kind) is escaped (``&``, ``<``, ``>``, quotes) and can never become markup; characters
XML 1.0 forbids even escaped (control characters) are dropped from values first. Undefined
names fail loudly.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

__all__ = ["ENVIRONMENT", "render_xml", "xml_text"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> Any:
    """``value`` without the characters XML 1.0 cannot hold: plain strings only; markup made
    by a template of this environment (a macro's output) and other values as they are."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return _NOT_XML.sub("", value)


ENVIRONMENT = Environment(
    loader=PackageLoader("atlas.publish.outputs", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    keep_trailing_newline=True,
    undefined=StrictUndefined,
    finalize=xml_text,
    trim_blocks=True,
    lstrip_blocks=True,
)
"""The exports' Jinja environment: autoescaping, strict about undefined names."""


def render_xml(name: str, /, **values: Any) -> str:
    """The template ``templates/<name>`` rendered with ``values`` (each escaped).

    Parameters
    ----------
    name : str
        File name of the template, e.g. ``"vector.qml"``.
    **values
        The template's variables.

    Returns
    -------
    str
        The XML document.
    """
    return ENVIRONMENT.get_template(name).render(**values)
