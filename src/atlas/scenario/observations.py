"""The ``[[observation]]`` entries: what was seen, where and when.

File format (see :mod:`atlas.scenario`)::

    [[observation]]
    name = "dalahai_wells_1995"
    label = "Dalahai wells, 1995"        # optional: how pages name it
    geometry = { layer = "observations", where = { id = "baotou_dalahai_1_5km_w_wells" } }
    # or WKT in the scenario CRS, or lon = 109.6353, lat = 40.6373 (degrees, EPSG:4326)
    year = 1995                          # calendar year (needs start_year), or time_yr = 30
    min_concentration_mg_per_l = 250.0   # or detected = true/false with threshold_mg_per_l
                                         # or max_head_rise_m = 6 (the leakage mound, m)

The place must lie on the grid and the time within the horizon (``0 < t <= horizon``); a
calendar year stands for its start, ``t = year - start_year``. ``min_concentration_mg_per_l =
X`` means the same as ``detected = true`` with ``threshold_mg_per_l = X``; ``detected = false``
means the concentration stayed below the threshold. ``max_head_rise_m = X`` is an observation of
the water table: the leakage mound there stays <= X m (uniform flow with a leaking source only;
the mound is steady, so its time is only the report's). A scenario with observations must move
solute (a ``[[source]]`` or ``[initial]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import shapely
from pyproj import Transformer

from atlas.scenario.fields import MISSING, POSITIVE, FieldReader, is_number, key_path, shown
from atlas.scenario.inputs import Inputs
from atlas.scenario.schema import Observation

__all__ = ["read_observations"]

_KEYS = [
    "name",
    "label",
    "geometry",
    "lon",
    "lat",
    "year",
    "time_yr",
    "min_concentration_mg_per_l",
    "detected",
    "threshold_mg_per_l",
    "max_head_rise_m",
]


def _place(r: FieldReader, item: Mapping[str, Any], where: str, inputs: Inputs) -> Any:
    """The geometry: ``geometry`` (WKT or layer reference) or ``lon``/``lat`` in degrees."""
    degrees = [k for k in ("lon", "lat") if k in item]
    if ("geometry" in item) == bool(degrees):
        r.note(
            where,
            "needs its place: either geometry or lon and lat, not both"
            if degrees
            else "missing its place",
            'add geometry = "POINT (x y)" (scenario CRS), a layer reference, or lon/lat',
        )
        return None
    if "geometry" in item:
        return inputs.geometry(item["geometry"], f"{where}.geometry", clip=False)
    lon = r.number(
        item, "lon", f"{where}.lon", rule=(lambda v: -180 <= v <= 180, "is outside [-180, 180]")
    )
    lat = r.number(
        item, "lat", f"{where}.lat", rule=(lambda v: -90 <= v <= 90, "is outside [-90, 90]")
    )
    if lon is None or lat is None or inputs.crs is None:
        return None
    to_scenario = Transformer.from_crs("EPSG:4326", inputs.crs, always_xy=True)
    point = shapely.Point(to_scenario.transform(lon, lat))
    if not point.is_valid or point.is_empty:
        r.note(f"{where}.lon", f"({lon:g}, {lat:g}) cannot be placed in the scenario CRS")
        return None
    return inputs.placed(point, f"{where}.lon")


def _time(
    r: FieldReader,
    item: Mapping[str, Any],
    where: str,
    start_year: Any,
    horizon_yr: float | None,
) -> tuple[float | None, int | None]:
    """(years since t = 0, calendar year or None), from ``year`` or ``time_yr``."""
    if ("year" in item) == ("time_yr" in item):
        r.note(where, "needs exactly one of year (calendar) or time_yr (since t = 0)")
        return None, None
    year = None
    if "year" in item:
        value = item["year"]
        if isinstance(value, bool) or not isinstance(value, int):
            r.note(f"{where}.year", f"expected a calendar year (integer), found {shown(value)}")
            return None, None
        if not isinstance(start_year, int) or isinstance(start_year, bool):
            r.note(
                f"{where}.year",
                "a calendar year needs the scenario's start_year",
                "add start_year, or give time_yr (years since t = 0) instead",
            )
            return None, None
        year, time_yr = value, float(value - start_year)
        key = f"{where}.year"
    else:
        time_yr = r.number(item, "time_yr", f"{where}.time_yr", parameter=False)
        key = f"{where}.time_yr"
        if time_yr is None:
            return None, None
    if horizon_yr is not None and not 0 < time_yr <= horizon_yr:
        shown_time = f"year {year} (t = {time_yr:g} yr)" if year is not None else f"{time_yr:g} yr"
        r.note(
            key,
            f"{shown_time} is outside the run, t in (0, {horizon_yr:g}] yr",
            "move it within the horizon, or extend output.times_yr",
        )
        return None, None
    return time_yr, year


def _condition(r: FieldReader, item: Mapping[str, Any], where: str) -> tuple[Any, Any, Any]:
    """(threshold in mg/L, detected, max head rise in m) from ``min_concentration_mg_per_l``,
    ``detected`` + ``threshold_mg_per_l``, or ``max_head_rise_m``."""
    minimum = "min_concentration_mg_per_l" in item
    flagged = "detected" in item or "threshold_mg_per_l" in item
    rise = "max_head_rise_m" in item
    if minimum + flagged + rise != 1:
        r.note(
            where,
            "needs exactly one condition: min_concentration_mg_per_l, detected with "
            "threshold_mg_per_l, or max_head_rise_m",
            "e.g. min_concentration_mg_per_l = 250, or detected = false with "
            "threshold_mg_per_l = 25",
        )
        return None, None, None
    if rise:
        key = "max_head_rise_m"
        return math.nan, False, r.number(item, key, f"{where}.{key}", rule=POSITIVE)
    if minimum:
        key = "min_concentration_mg_per_l"
        return r.number(item, key, f"{where}.{key}", rule=POSITIVE), True, None
    detected = r.get(item, "detected", f"{where}.detected", True)
    if detected is not MISSING and not isinstance(detected, bool):
        r.note(f"{where}.detected", f"expected true or false, found {shown(detected)}")
        detected = MISSING
    threshold = r.number(item, "threshold_mg_per_l", f"{where}.threshold_mg_per_l", rule=POSITIVE)
    return threshold, None if detected is MISSING else detected, None


def read_observations(
    r: FieldReader,
    doc: Mapping[str, Any],
    inputs: Inputs,
    *,
    start_year: Any,
    horizon_yr: float | None,
    transports: bool,
) -> list[Observation]:
    """The ``[[observation]]`` entries (see the module docstring); every problem noted in
    ``r``, the bad entries left out.

    Parameters
    ----------
    r : FieldReader
        Collects the problems.
    doc : Mapping
        The scenario document.
    inputs : Inputs
        Resolves the geometries and checks they lie on the grid.
    start_year : Any
        The document's ``start_year`` (needed by ``year``).
    horizon_yr : float or None
        The last output time (None when ``[output]`` is bad: times are then not checked).
    transports : bool
        Whether the scenario moves solute; observations of a flow-only scenario are a problem.
    """
    items = r.tables(doc, "observation", "observation")
    if items and not transports:
        r.note(
            "observation",
            "a flow-only scenario moves no solute to compare with",
            "add a [[source]] or [initial], or leave the observations out",
        )
        return []
    observations = []
    for index, item in enumerate(items):
        name = r.text(item, "name", f"observation[{index}].name")
        where = key_path("observation", name) if name else f"observation[{index}]"
        r.keys(item, _KEYS, where)
        label = r.label(item, where)
        geometry = _place(r, item, where, inputs)
        time_yr, year = _time(r, item, where, start_year, horizon_yr)
        threshold, detected, rise = _condition(r, item, where)
        if (
            name
            and geometry is not None
            and time_yr is not None
            and detected is not None
            and (is_number(threshold) if rise is None else is_number(rise))
        ):
            observations.append(
                Observation(name, geometry, time_yr, threshold, detected, year, rise, label)
            )
    r.unique(observations, "observation")
    return observations
