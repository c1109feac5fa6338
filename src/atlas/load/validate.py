"""Checks on a layer in memory: columns, keys, points from lon/lat, geometries.

Every check is a pure function that returns a list of :class:`~atlas.errors.Problem` and never
raises, so a reader can gather every problem of a file and report them at once. Rows are
numbered from 1 in file order (the header of a CSV is not a row) and named by the layer's
``label_column`` when it has one: ``row 3 ('Mount Weld')``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from atlas.errors import Problem
from atlas.load.spec import ColumnKind, LayerSpec

__all__ = [
    "coerce_columns",
    "geometry_problems",
    "key_problems",
    "missing_columns",
    "points_from_lon_lat",
    "row_label",
]

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})
_LON_RANGE = (-180.0, 180.0)
_LAT_RANGE = (-90.0, 90.0)


def row_label(frame: pd.DataFrame, position: int, spec: LayerSpec) -> str:
    """Name a row for a message: ``"row 3 ('Foo')"``, or ``"row 3"`` when it has no label.

    Parameters
    ----------
    frame : pandas.DataFrame
        The layer, with a default ``RangeIndex``.
    position : int
        Zero-based position of the row.
    spec : LayerSpec
        Gives the label column.
    """
    label = ""
    if spec.label_column is not None and spec.label_column in frame.columns:
        value = frame[spec.label_column].iloc[position]
        if isinstance(value, str) and value.strip():
            label = f" ({value!r})"
    return f"row {position + 1}{label}"


def missing_columns(frame: pd.DataFrame, columns: Mapping[str, ColumnKind]) -> list[Problem]:
    """One problem per required column absent from ``frame``."""
    found = [str(c) for c in frame.columns if c != "geometry"]
    return [
        Problem(
            f"column {column!r}",
            f"required {kind} column is missing (found columns: {found})",
            f"add a column named {column!r} (names are case-sensitive)",
        )
        for column, kind in columns.items()
        if column not in frame.columns
    ]


def coerce_columns(
    frame: pd.DataFrame, columns: Mapping[str, ColumnKind], spec: LayerSpec
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read each required column as its kind; see :data:`~atlas.load.spec.ColumnKind`.

    Parameters
    ----------
    frame : pandas.DataFrame
        The layer as read, holding every column of ``columns``.
    columns : Mapping[str, ColumnKind]
        The columns to coerce and their kinds.
    spec : LayerSpec
        Names rows in messages.

    Returns
    -------
    tuple of (pandas.DataFrame, list of Problem)
        A copy with text as ``str`` (missing -> ``""``), numbers as numeric dtype (missing ->
        NaN), booleans as ``bool``; and one problem per value that could not be read.
    """
    out = frame.copy()
    problems: list[Problem] = []
    for column, kind in columns.items():
        if kind == "text":
            out[column] = _as_text(frame[column])
            continue
        values, bad = _as_number(frame[column]) if kind == "number" else _as_boolean(frame[column])
        out[column] = values
        raw = _as_text(frame[column])
        expected = (
            "a number such as 109.69 (or an empty cell)" if kind == "number" else "true or false"
        )
        problems.extend(
            Problem(
                f"{row_label(out, int(i), spec)}, column {column!r}",
                f"expected {expected}, found {raw.iloc[i]!r}",
                f"correct the value in column {column!r}",
            )
            for i in np.flatnonzero(bad)
        )
    return out, problems


def key_problems(frame: pd.DataFrame, spec: LayerSpec) -> list[Problem]:
    """Blank or repeated values of the layer's key columns (after :func:`coerce_columns`)."""
    if not spec.key_columns:
        return []
    key_name = ", ".join(spec.key_columns)
    problems: list[Problem] = []
    first_row: dict[tuple[str, ...], int] = {}
    keys = zip(*(frame[c].tolist() for c in spec.key_columns), strict=True)
    for position, key in enumerate(keys):
        where = f"{row_label(frame, position, spec)}, column {key_name!r}"
        if any(not str(part).strip() for part in key):
            problems.append(Problem(where, "is blank", f"give every row a {key_name}"))
        elif key in first_row:
            problems.append(
                Problem(
                    where,
                    f"{key if len(key) > 1 else key[0]!r} repeats row {first_row[key] + 1}",
                    f"{key_name} must be unique: rename or remove one of the two rows",
                )
            )
        else:
            first_row[key] = position
    return problems


def points_from_lon_lat(
    frame: pd.DataFrame, raw: pd.DataFrame, spec: LayerSpec
) -> tuple[np.ndarray, list[Problem]]:
    """Points from numeric ``lon``/``lat`` columns (WGS84 degrees); none where both are empty.

    Parameters
    ----------
    frame : pandas.DataFrame
        With ``lon`` and ``lat`` already read as numbers (NaN where empty or unreadable).
    raw : pandas.DataFrame
        The same rows as read, to tell an empty cell from an unreadable one (reported by
        :func:`coerce_columns`, so not again here).
    spec : LayerSpec
        Names rows in messages.

    Returns
    -------
    tuple of (numpy.ndarray of object, list of Problem)
        One shapely Point or ``None`` per row, and a problem per row with only one of the two.
    """
    lon = frame["lon"].to_numpy(float)
    lat = frame["lat"].to_numpy(float)
    given = ~np.isnan(lon) & ~np.isnan(lat)
    geometries = np.full(len(frame), None, dtype=object)
    geometries[given] = shapely.points(lon[given], lat[given])
    blank_lon, blank_lat = (_as_text(raw[c]).str.strip().eq("").to_numpy() for c in ("lon", "lat"))
    problems = [
        Problem(
            f"{row_label(frame, int(i), spec)}, columns 'lon'/'lat'",
            "only one of lon and lat is given",
            "give both, or leave both empty when the location is unknown",
        )
        for i in np.flatnonzero(blank_lon != blank_lat)
    ]
    return geometries, problems


def geometry_problems(
    geometries: np.ndarray, frame: pd.DataFrame, spec: LayerSpec
) -> list[Problem]:
    """Missing, empty, wrongly typed, invalid or out-of-range geometries (EPSG:4326 degrees).

    Parameters
    ----------
    geometries : numpy.ndarray of object
        One shapely geometry or ``None`` per row of ``frame``, in lon/lat degrees.
    frame : pandas.DataFrame
        The layer's attributes, for row labels.
    spec : LayerSpec
        Allowed geometry types and whether a row may lack a geometry.
    """
    allowed = spec.geometry_types or frozenset()
    problems: list[Problem] = []
    for i, geometry in enumerate(geometries):
        where = row_label(frame, i, spec)
        if geometry is None:
            if not spec.geometry_nullable:
                problems.append(Problem(where, "has no geometry", "give it one, or remove the row"))
            continue
        if geometry.is_empty:
            problems.append(
                Problem(where, "has an empty geometry", "give it coordinates, or remove the row")
            )
            continue
        if geometry.geom_type not in allowed:
            problems.append(
                Problem(
                    where,
                    f"geometry type {geometry.geom_type!r} is not allowed in layer "
                    f"{spec.name!r} (expected one of {sorted(allowed)})",
                    "convert the geometry, or move the row to a layer of that type",
                )
            )
        problems.extend(_range_problems(where, geometry))
        if not geometry.is_valid:
            problems.append(
                Problem(
                    where,
                    f"invalid geometry ({shapely.is_valid_reason(geometry)})",
                    "repair it, e.g. with shapely.make_valid or QGIS 'Fix geometries'",
                )
            )
    return problems


def _range_problems(where: str, geometry: shapely.Geometry) -> list[Problem]:
    """A problem when a coordinate lies outside lon [-180, 180] or lat [-90, 90]."""
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in shapely.bounds(geometry))
    problems = []
    for axis, low, high, (lower, upper) in (
        ("lon", min_lon, max_lon, _LON_RANGE),
        ("lat", min_lat, max_lat, _LAT_RANGE),
    ):
        if low < lower or high > upper:
            value = low if low < lower else high
            problems.append(
                Problem(
                    where,
                    f"{axis} {value!r} is outside [{lower:g}, {upper:g}]",
                    "fix the value or swap lon/lat",
                )
            )
    return problems


def _as_text(values: pd.Series) -> pd.Series:
    """Any values as strings; missing values become ``""``."""
    return values.astype(object).where(values.notna(), "").astype(str)


def _as_number(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Values as numbers (NaN where blank) and a mask of the ones that are not numbers."""
    if is_numeric_dtype(values) and not is_bool_dtype(values):
        return values, np.zeros(len(values), dtype=bool)
    text = _as_text(values).str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    return numbers, (numbers.isna() & (text != "")).to_numpy()


def _as_boolean(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Values as ``bool`` and a mask of the ones that are not a recognised true/false word."""
    if is_bool_dtype(values):
        return values.astype(bool), np.zeros(len(values), dtype=bool)
    text = _as_text(values).str.strip().str.lower()
    return text.isin(_TRUE), (~text.isin(_TRUE | _FALSE)).to_numpy()
