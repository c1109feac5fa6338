"""Popups of every feature drawn on the page: which facts of a row to show, and their source.

This module chooses and formats the facts (plain text; numbers with where they come from);
``templates/popups.html`` holds the markup, one macro per kind of feature, and escapes every
value, so a name such as ``<script>alert(1)</script>`` shows as text. Links are only made from
``http``/``https`` URLs. Every number shown names where it comes from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from atlas.crs import utm_epsg_for
from atlas.publish.site.templates import macro

__all__ = [
    "RIVERS_SOURCE",
    "TOWNS_SOURCE",
    "is_missing",
    "observation_popup",
    "plume_popup",
    "pond_popup",
    "site_popup",
    "text_of",
]

RIVERS_SOURCE = "Natural Earth 1:10m rivers and lake centerlines (public domain)"
"""Where the nearest-river distances come from."""

TOWNS_SOURCE = "Natural Earth 1:10m populated places (public domain)"
"""Where the nearest-town distances come from."""


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


def _popup(feature: str, /, **values: object) -> Markup:
    """The popup of a kind of ``feature``: its macro in ``templates/popups.html``,
    called with ``values``, plain text (``None`` for a fact to leave out)."""
    return macro("popups.html", feature, **values)


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
    """``"11.8 km to Huang"`` with how and from what it was measured; or None."""
    distance_m = _number(row.get(distance_column))
    name = text_of(row.get(name_column))
    if distance_m is None or name is None:
        return None
    crs = text_of(row.get("distance_crs")) or _utm_of(row)
    how = f"measured in {crs} ({_utm_label(crs)})" if crs else "measured in metres"
    return f"{distance_m / 1000:.1f} km to {name} ({how}, from {source})"


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


def site_popup(row: Mapping[str, Any]) -> Markup:
    """Popup of a curated site: kind, commodity, country, coordinate, joins, notes and source."""
    return _popup(
        "site",
        name=text_of(row.get("name")) or "(unnamed)",
        kind=text_of(row.get("kind")),
        commodity=text_of(row.get("commodity")),
        country=text_of(row.get("country")),
        country_polygon=text_of(row.get("country_name")),
        location=_coordinate(row),
        river=_distance_fact(row, "nearest_river_name", "nearest_river_distance_m", RIVERS_SOURCE),
        town=_distance_fact(row, "nearest_town_name", "nearest_town_distance_m", TOWNS_SOURCE),
        notes=text_of(row.get("notes")),
        source=text_of(row.get("source")),
    )


def pond_popup(row: Mapping[str, Any]) -> Markup:
    """Popup of the tailings-pond polygon; states that the outline is an approximation."""
    area_km2, perimeter_km = _number(row.get("area_km2")), _number(row.get("perimeter_km"))
    cited = " (of the approximate outline; see Sources)"
    return _popup(
        "pond",
        name=text_of(row.get("name")) or "(unnamed)",
        area=None if area_km2 is None else f"{area_km2:.1f} km²{cited}",
        perimeter=None if perimeter_km is None else f"{perimeter_km:.1f} km{cited}",
        method=text_of(row.get("geometry_method")),
        notes=text_of(row.get("notes")),
        sources=text_of(row.get("sources")),
    )


def observation_popup(row: Mapping[str, Any]) -> Markup:
    """Popup of an observation: what was measured, the result, when, where and its source."""
    method = text_of(row.get("location_method"))
    approximate = row.get("location_is_approximate")
    caveat = "approximate location" if not is_missing(approximate) and bool(approximate) else None
    return _popup(
        "observation",
        name=text_of(row.get("name")) or "(unnamed)",
        measured=text_of(row.get("measured")),
        result=text_of(row.get("result")),
        date=text_of(row.get("date")),
        location="; ".join(t for t in (method, caveat) if t) or None,
        source=text_of(row.get("source")),
    )


def plume_popup(row: Mapping[str, Any], *, description: str) -> Markup:
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
        "plume",
        scenario=text_of(row.get("scenario")) or "(unnamed scenario)",
        modelled=text_of(row.get("modelled")) or "MODELLED, not measured",
        description=text_of(description),
        time=when,
        outline=None
        if threshold is None
        else f"modelled concentration at or above {threshold:g} mg/L",
        area=None if area_m2 is None else f"{area_m2 / 1e6:.3g} km² (modelled)",
    )
