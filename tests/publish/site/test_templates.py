"""The site's one Jinja environment: every template escapes, data is only ever a value."""

from __future__ import annotations

from importlib.resources import files

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from atlas.publish.site.templates import ENVIRONMENT, macro, render, template

TEMPLATE_FILES = sorted(
    entry.name
    for entry in files("atlas.publish.site").joinpath("templates").iterdir()
    if entry.is_file()
)

PROBE = "<b>{{7*7}} {% raw %} {#</b>"
"""Markup and Jinja syntax that must show as text."""

ESCAPED = "&lt;b&gt;{{7*7}} {% raw %} {#&lt;/b&gt;"


def test_every_template_file_is_autoescaped():
    assert {"index.html", "map.html", "popups.html", "legend.html", "symbol.svg"} <= set(
        TEMPLATE_FILES
    )
    for name in TEMPLATE_FILES:
        assert ENVIRONMENT.autoescape(name) is True, name
        template(name)  # compiles


def test_a_value_is_escaped_and_never_evaluated():
    name = macro("layers.html", "plume_layer_name", name=PROBE, hue_class="atlas-plume-hue-0")
    assert isinstance(name, Markup)
    assert name == (
        '<span class="layer-swatch atlas-plume-hue-0" aria-hidden="true"></span>'
        f"MODELLED plume: {ESCAPED}"
    )


def test_render_gives_markup_of_a_whole_template():
    popups = render("popups.html")  # only macros: nothing outside them is written
    assert isinstance(popups, Markup)
    assert popups.strip() == ""


def test_a_missing_value_fails_instead_of_showing_nothing():
    with pytest.raises(UndefinedError):
        macro("popups.html", "observation", name="o")


def test_script_values_are_javascript_that_cannot_close_the_script():
    text = ENVIRONMENT.from_string("{{ value|tojavascript }}").render(
        value={"attribution": "</script><b>'&'</b>"}
    )
    assert "</script>" not in text
    assert "\\u003c/script\\u003e" in text
    assert '"attribution": ' in text  # quotes stay JavaScript, not HTML references


def test_script_option_keys_must_be_identifiers():
    script = ENVIRONMENT.from_string("{{ value|tojavascript }}")
    with pytest.raises(ValueError, match="identifiers"):
        script.render(value={"ok": {"</script><script>alert(1)//": 1}})
    assert '"maxZoom": 18' in script.render(value={"max_zoom": 18})
