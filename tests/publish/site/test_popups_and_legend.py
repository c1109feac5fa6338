"""Popups escape every text and cite sources; the legend does not rely on colour alone."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from atlas.publish.site.legend import (
    OTHER,
    SHAPES,
    SYMBOLS,
    Symbol,
    legend_html,
    symbol_for_kind,
    symbol_svg,
)
from atlas.publish.site.popups import (
    observation_popup,
    plume_popup,
    pond_popup,
    site_popup,
)

KINDS = [
    "mine",
    "tailings pond",
    "processing plant",
    "mining district",
    "deposit",
    "deposit / project",
    "mine / pilot plant",
    "magnet plant",
    "playa / evaporation ponds",
    "city",
    "town",
    "town (reference)",
    "city (reference)",
]


def _tags(html: str) -> list[str]:
    return re.findall(r"<[^>]*>", html)


@given(st.text().filter(str.strip))
def test_any_text_in_any_field_is_escaped(text):
    def row(value):
        return {c: value for c in ("name", "kind", "commodity", "notes", "source", "measured")}

    for popup in (site_popup, observation_popup, pond_popup):
        html = popup(row(text))
        # Same markup as with harmless text: the data added no tag of its own.
        assert _tags(html) == _tags(popup(row("x")))
        # Escaped as the site's templates escape (autoescaping, markupsafe).
        assert escape(text.strip()) in html


def test_a_script_name_is_shown_as_text():
    popup = site_popup({"name": "<script>alert(1)</script>", "source": "a & b"})
    assert "<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>" in popup
    assert "a &amp; b" in popup


def test_distances_say_where_and_how_they_were_measured():
    row = {
        "name": "Site",
        "lon": -115.53,
        "lat": 35.48,
        "nearest_river_name": "Colorado",
        "nearest_river_distance_m": 80_049.0,
        "nearest_town_name": "Nipton",
        "nearest_town_distance_m": np.nan,
    }
    popup = site_popup(row)
    # No distance_crs column: the zone is derived from the coordinate (UTM 11N).
    assert "80.0 km to Colorado (measured in EPSG:32611 (UTM zone 11N), from Natural Earth" in popup
    assert "Nipton" not in popup  # a missing distance is left out, not shown as nan
    assert "nan" not in popup.lower()


def test_missing_values_are_left_out():
    popup = site_popup({"name": "x", "notes": "", "commodity": None, "country": "Peru"})
    assert "Notes" not in popup
    assert "Commodity" not in popup
    assert "<dd>Peru</dd>" in popup


def test_pond_popup_says_it_is_an_approximation():
    popup = pond_popup({"name": "Pond", "area_km2": 11.04, "perimeter_km": 13.6, "sources": "S"})
    assert "Approximate outline" in popup
    assert "11.0 km²" in popup
    assert "13.6 km" in popup


def test_observation_location_flags_approximation():
    popup = observation_popup({"name": "o", "location_is_approximate": True})
    assert "approximate location" in popup
    assert "approximate" not in observation_popup({"name": "o", "location_is_approximate": False})


def test_plume_popup_says_modelled_and_cites_the_table():
    row = {
        "scenario": "<yellow>",
        "time_yr": 5.0,
        "calendar_year": 2030.5,
        "threshold_mg_per_l": 0.25,
        "area_m2": 1_234_000.0,
        "modelled": "MODELLED",
    }
    popup = plume_popup(row, description="a & b")
    assert "<h3>Modelled plume: &lt;yellow&gt;</h3>" in popup
    assert '<p class="caveat">MODELLED</p>' in popup
    assert "<dd>a &amp; b</dd>" in popup
    assert "<dd>5 yr after t = 0 (2030)</dd>" in popup
    assert "<dd>modelled concentration at or above 0.25 mg/L</dd>" in popup
    assert "<dd>1.23 km² (modelled)</dd>" in popup
    assert "in the table of modelled plumes below the map" in popup
    bare = plume_popup({"time_yr": np.nan}, description="")
    assert "(unnamed scenario)" in bare
    assert "MODELLED, not measured" in bare
    for label in ("Scenario", "Time", "Outline", "Area"):
        assert f"<dt>{label}</dt>" not in bare


def test_every_known_kind_has_a_symbol_and_unknown_kinds_are_still_drawn():
    assert all(symbol_for_kind(kind) is not OTHER for kind in KINDS)
    assert symbol_for_kind(" Mine ") is symbol_for_kind("mine")
    assert symbol_for_kind("volcano") is OTHER
    assert symbol_for_kind(None) is OTHER


def test_symbols_differ_in_shape_not_only_colour():
    shapes = [symbol.shape for symbol in (*SYMBOLS, OTHER)]
    assert len(set(shapes)) == len(shapes)
    for symbol in SYMBOLS:
        assert 'stroke="#1a1a1a"' in symbol_svg(symbol)


def test_every_shape_draws_its_own_outline():
    drawn = [
        re.findall(r"<(?:path|rect|circle) [^>]*/>", symbol_svg(Symbol(s, s, s, "#ffffff", ())))
        for s in SHAPES
    ]
    assert all(len(elements) == 1 for elements in drawn)
    assert len({elements[0] for elements in drawn}) == len(SHAPES)
    with pytest.raises(ValueError, match="hexagon"):
        symbol_svg(Symbol("odd", "Odd", "hexagon", "#ffffff", ()))


def test_legend_lists_present_groups_with_their_kinds_escaped():
    html = legend_html(["mine", "town (reference)", "<odd kind>"])
    assert html.index("Mine") < html.index("Town or city") < html.index("Other kind")
    assert "&lt;odd kind&gt;" in html
    assert "Processing" not in html


def test_a_missing_kind_is_not_listed_as_nan():
    html = str(legend_html(["mine", float("nan"), None]))
    assert not re.search(r"\bnan\b", html, flags=re.IGNORECASE)
    assert "mine" in html
