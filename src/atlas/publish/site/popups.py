"""Popup HTML for every feature drawn on the page: the facts of one row and their source.

Every text taken from a layer goes through :func:`html.escape`, so a name such as
``<script>alert(1)</script>`` shows as text. Links are only made from ``http``/``https``
URLs. Every number shown names where it comes from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from atlas.crs import utm_epsg_for

__all__ = [
    "RIVERS_SOURCE",
    "TOWNS_SOURCE",
    "is_missing",
    "observation_popup",
    "plume_popup",
    "pond_popup",
    "site_popup",
    "text_of",
    "usgs_popup",
]

RIVERS_SOURCE = "Natural Earth 1:10m rivers and lake centerlines (public domain)"
"""Where the nearest-river distances come from."""

TOWNS_SOURCE = "Natural Earth 1:10m populated places (public domain)"
"""Where the nearest-town distances come from."""

POND_CAVEAT = (
    "Approximate outline, not a surveyed boundary: drawn from published area and shape, "
    "see the method and sources below."
)

Fact = tuple[str, str | None]
"""A label and its value as *already escaped* HTML (``None`` when there is nothing to show)."""


def is_missing(value: object) -> bool:
    """True for ``None``, NaN/NA and blank strings."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # NaN, pandas.NA compare unequal to themselves
    except (TypeError, ValueError):
        return False


def text_of(value: object) -> str | None:
    """A value as stripped plain text, or ``None`` when missing."""
    return None if is_missing(value) else str(value).strip()


def _escaped(value: object) -> str | None:
    text = text_of(value)
    return None if text is None else escape(text)


def _link(url: object, label: str) -> str | None:
    """An escaped link to ``url`` if it is an http(s) URL, else the escaped text, or None."""
    text = text_of(url)
    if text is None:
        return None
    if not text.lower().startswith(("https://", "http://")):
        return escape(text)
    return f'<a href="{escape(text)}" rel="noopener noreferrer">{escape(label)}</a>'


def _popup(title: object, facts: Sequence[Fact], note: str | None = None) -> str:
    """A popup: escaped heading, a definition list of the present facts, an optional note."""
    rows = "".join(
        f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in facts if value is not None
    )
    heading = _escaped(title) or "(unnamed)"
    note_html = f'<p class="caveat">{escape(note)}</p>' if note else ""
    return f'<div class="popup"><h3>{heading}</h3>{note_html}<dl>{rows}</dl></div>'


def _number(value: object) -> float | None:
    if is_missing(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _distance_fact(
    row: Mapping[str, Any], name_column: str, distance_column: str, source: str
) -> str | None:
    """``"11.8 km to Huang"`` with how and from what it was measured, escaped; or None."""
    distance_m = _number(row.get(distance_column))
    name = text_of(row.get(name_column))
    if distance_m is None or name is None:
        return None
    crs = text_of(row.get("distance_crs")) or _utm_of(row)
    how = f"measured in {crs} ({_utm_label(crs)})" if crs else "measured in metres"
    return escape(f"{distance_m / 1000:.1f} km to {name} ({how}, from {source})")


def _utm_of(row: Mapping[str, Any]) -> str | None:
    lon, lat = _number(row.get("lon")), _number(row.get("lat"))
    if lon is None or lat is None:
        return None
    return f"EPSG:{utm_epsg_for(lon, lat)}"


def _utm_label(crs: str) -> str:
    """``"UTM zone 49N"`` for ``"EPSG:32649"``; the CRS itself when it is not a WGS84 UTM code."""
    code = crs.removeprefix("EPSG:")
    if code.isdigit() and 32601 <= int(code) <= 32760 and int(code) % 100 <= 60:
        hemisphere = "N" if int(code) < 32700 else "S"
        return f"UTM zone {int(code) % 100}{hemisphere}"
    return crs


def _coordinate(row: Mapping[str, Any]) -> str | None:
    lon, lat = _number(row.get("lon")), _number(row.get("lat"))
    if lon is None or lat is None:
        return None
    return f"{lat:.5f}, {lon:.5f} (lat, lon, WGS84; from the source below)"


def site_popup(row: Mapping[str, Any]) -> str:
    """Popup of a curated site: kind, commodity, country, coordinate, joins, notes and source."""
    return _popup(
        row.get("name"),
        [
            ("Kind", _escaped(row.get("kind"))),
            ("Commodity", _escaped(row.get("commodity"))),
            ("Country (source)", _escaped(row.get("country"))),
            ("Country (Natural Earth polygon)", _escaped(row.get("country_name"))),
            ("Location", _coordinate(row)),
            (
                "Nearest river",
                _distance_fact(
                    row, "nearest_river_name", "nearest_river_distance_m", RIVERS_SOURCE
                ),
            ),
            (
                "Nearest town",
                _distance_fact(row, "nearest_town_name", "nearest_town_distance_m", TOWNS_SOURCE),
            ),
            ("Notes", _escaped(row.get("notes"))),
            ("Source", _escaped(row.get("source"))),
        ],
    )


def usgs_popup(row: Mapping[str, Any]) -> str:
    """Popup of a USGS record: commodities, deposit type, place and a link to the record."""
    place = ", ".join(
        t for t in (text_of(row.get("state_or_province")), text_of(row.get("country"))) if t
    )
    record = text_of(row.get("record_id"))
    return _popup(
        row.get("site_name"),
        [
            ("Other names", _escaped(row.get("other_names"))),
            ("Place", escape(place) if place else None),
            ("Commodity", _escaped(row.get("commodity"))),
            ("Deposit type", _escaped(row.get("deposit_type"))),
            ("Source", _escaped(row.get("dataset"))),
            ("Record", escape(record) if record else None),
            ("Record page", _link(row.get("record_url"), "open the USGS record")),
        ],
    )


def pond_popup(row: Mapping[str, Any]) -> str:
    """Popup of the tailings-pond polygon; states that the outline is an approximation."""
    area_km2, perimeter_km = _number(row.get("area_km2")), _number(row.get("perimeter_km"))
    cited = " (of the approximate outline; see Sources)"
    return _popup(
        row.get("name"),
        [
            ("Area", None if area_km2 is None else escape(f"{area_km2:.1f} km²{cited}")),
            (
                "Perimeter",
                None if perimeter_km is None else escape(f"{perimeter_km:.1f} km{cited}"),
            ),
            ("How the outline was drawn", _escaped(row.get("geometry_method"))),
            ("Notes", _escaped(row.get("notes"))),
            ("Sources", _escaped(row.get("sources"))),
        ],
        note=POND_CAVEAT,
    )


def observation_popup(row: Mapping[str, Any]) -> str:
    """Popup of an observation: what was measured, the result, when, where and its source."""
    method = text_of(row.get("location_method"))
    approximate = row.get("location_is_approximate")
    caveat = "approximate location" if not is_missing(approximate) and bool(approximate) else None
    location = "; ".join(t for t in (method, caveat) if t) or None
    return _popup(
        row.get("name"),
        [
            ("Measured", _escaped(row.get("measured"))),
            ("Result", _escaped(row.get("result"))),
            ("Date", _escaped(row.get("date"))),
            ("Location", None if location is None else escape(location)),
            ("Source", _escaped(row.get("source"))),
        ],
    )


def plume_popup(row: Mapping[str, Any], *, description: str) -> str:
    """Popup of a modelled plume outline (a feature of ``isochrones.geojson``).

    Says that the outline is modelled, not measured (the row's ``modelled`` label), and gives
    the scenario, the time, the threshold and the area.
    """
    time_yr, year = _number(row.get("time_yr")), _number(row.get("calendar_year"))
    threshold, area_m2 = _number(row.get("threshold_mg_per_l")), _number(row.get("area_m2"))
    when = None
    if time_yr is not None:
        when = f"{time_yr:g} yr after t = 0" + ("" if year is None else f" ({math.floor(year)})")
    return _popup(
        f"Modelled plume: {text_of(row.get('scenario')) or '(unnamed scenario)'}",
        [
            ("Scenario", _escaped(description)),
            ("Time", None if when is None else escape(when)),
            (
                "Outline",
                None
                if threshold is None
                else escape(f"modelled concentration at or above {threshold:g} mg/L"),
            ),
            (
                "Area",
                None if area_m2 is None else escape(f"{area_m2 / 1e6:.3g} km² (modelled)"),
            ),
            ("Assumptions", escape("in the table of modelled plumes below the map")),
        ],
        note=text_of(row.get("modelled")) or "MODELLED, not measured",
    )
