"""Every site as compact data: one array of values per site, for the index's table and the
USGS records on the map, written as ``assets/data/sites.js``.

The index carries no popup markup for the USGS records: ``assets/atlas.js`` builds each popup,
and ``assets/table.js`` the table of sites, in the browser from these values, set as text
(``textContent``), never parsed as HTML. Columns whose values repeat (country, commodity list,
deposit type, dataset, ...) are stored once in a table of values and referred to by index.
Coordinates are rounded to :data:`DECIMALS`. With a screening layer
(:func:`atlas.screening.screen_sites`) each site also carries its nearest water, distance and
modelled probabilities of reach. The file is JSON behind one assignment, so it loads from
``file://`` as a script; the same layers give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from atlas.publish.site.data_files import write_data_file
from atlas.publish.site.features import require_wgs84
from atlas.publish.site.popups import text_of
from atlas.screening import HORIZONS_YR, SCREENING_LABEL, nearest_water_label

__all__ = [
    "COLUMNS",
    "DATA_FILE",
    "DECIMALS",
    "SCREENING_COLUMNS",
    "SiteColumn",
    "site_data",
    "write_site_data",
]

DATA_FILE = "assets/data/sites.js"
"""Where the data goes in the site (it sets ``window.atlasSites``)."""

DECIMALS = 4
"""Decimals of a degree kept in a site's coordinates (about 10 m, below what the sources give)."""


@dataclass(frozen=True)
class SiteColumn:
    """A column of the data: its key, header (plain text) and whether values are stored once."""

    key: str
    label: str
    shared: bool = False


COLUMNS: tuple[SiteColumn, ...] = (
    SiteColumn("group", "Layer", shared=True),
    SiteColumn("lon", "Longitude"),
    SiteColumn("lat", "Latitude"),
    SiteColumn("name", "Name"),
    SiteColumn("other_names", "Other names"),
    SiteColumn("place", "Place", shared=True),
    SiteColumn("commodity", "Commodity", shared=True),
    SiteColumn("kind", "Kind or deposit type", shared=True),
    SiteColumn("source", "Source", shared=True),
    SiteColumn("record", "Record"),
    SiteColumn("record_url", "Record page"),
    SiteColumn("page", "Page"),
)
"""The columns of every site, in order."""

SCREENING_COLUMNS: tuple[SiteColumn, ...] = (
    SiteColumn("water", "Nearest river or lake", shared=True),
    SiteColumn("water_km", "Distance, km"),
    *(SiteColumn(f"p{h}", f"Modelled chance, {h} yr") for h in HORIZONS_YR),
)
"""The columns added by a screening layer (modelled, :data:`atlas.screening.SCREENING_LABEL`)."""

USGS = "USGS record"
CURATED = "Curated site"


def _listed(value: Any) -> str | None:
    """A comma-separated list as text, one space after each comma (so that it can wrap)."""
    text = text_of(value)
    return None if text is None else ", ".join(t.strip() for t in text.split(",") if t.strip())


def _deposit_types(value: Any) -> str | None:
    """A record's deposit types as text (:func:`_listed`), a bare number among them named as
    what it is: the Carbonatites of the world records (OFR 2009-1139) begin with their USGS
    deposit-model number ("10,Carbonatite REE" -> "Carbonatite REE; USGS deposit model 10")."""
    listed = _listed(value)
    if listed is None:
        return None
    types = listed.split(", ")
    models = [t for t in types if not any(c.isalpha() for c in t)]
    named = ", ".join(t for t in types if t not in models)
    model = "; ".join(f"USGS deposit model {m}" for m in models)
    return "; ".join(part for part in (named, model) if part)


def _coordinate(geometry: Any) -> tuple[float | None, float | None]:
    if geometry is None or geometry.is_empty:
        return None, None
    return round(float(geometry.x), DECIMALS), round(float(geometry.y), DECIMALS)


def _place(row: Mapping[str, Any], *columns: str) -> str | None:
    return ", ".join(t for t in (text_of(row.get(c)) for c in columns) if t) or None


def _usgs_rows(usgs: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    rows = usgs.sort_values(
        ["dataset", "source_id", "record_id"], kind="stable", key=lambda c: c.astype(str)
    )
    return [
        {
            "site_id": f"{row['source_id']}#{row['record_id']}",
            "group": USGS,
            "name": text_of(row.get("site_name")) or "(unnamed record)",
            "other_names": text_of(row.get("other_names")),
            "place": _place(row, "state_or_province", "country"),
            "commodity": _listed(row.get("commodity")),
            "kind": _deposit_types(row.get("deposit_type")),
            "source": text_of(row.get("dataset")),
            "record": text_of(row.get("record_id")),
            "record_url": text_of(row.get("record_url")),
            "geometry": geometry,
        }
        for (_, row), geometry in zip(rows.iterrows(), rows.geometry, strict=True)
    ]


def _curated_rows(sites: gpd.GeoDataFrame, pages: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = sites.sort_values("name", kind="stable", key=lambda c: c.astype(str))
    return [
        {
            "site_id": f"sites.csv:{row['name']}",
            "group": CURATED,
            "name": text_of(row.get("name")) or "(unnamed site)",
            "place": _place(row, "country"),
            "commodity": text_of(row.get("commodity")),
            "kind": text_of(row.get("kind")),
            "source": text_of(row.get("source")),
            "page": pages.get(str(row["name"])),
            "geometry": geometry,
        }
        for (_, row), geometry in zip(rows.iterrows(), rows.geometry, strict=True)
    ]


def _number(value: Any, digits: int) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, digits) if math.isfinite(number) else None


def _screened(rows: list[dict[str, Any]], screening: pd.DataFrame) -> None:
    """Add the screening's columns to ``rows`` (in place), matched on ``site_id``."""
    by_id = screening.drop_duplicates("site_id").set_index("site_id")
    for row in rows:
        if row["site_id"] not in by_id.index:
            continue
        found = by_id.loc[row["site_id"]]
        distance_m = _number(found["distance_m"], 0)
        row["water"] = None
        row["water_km"] = None
        if distance_m is not None:
            row["water"] = nearest_water_label(
                text_of(found["nearest_water_name"]), text_of(found["nearest_water_kind"])
            )
            row["water_km"] = round(distance_m / 1000, 1)
        for horizon in HORIZONS_YR:
            row[f"p{horizon}"] = _number(found[f"p_reach_{horizon}yr"], 3)


def site_data(
    usgs: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    pages: Mapping[str, str] | None = None,
    screening: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The compact data of every site: the curated ``sites``, then the ``usgs`` records.

    Parameters
    ----------
    usgs, sites : geopandas.GeoDataFrame
        The USGS records and the curated sites (EPSG:4326); rows without a location are
        kept (the table lists them, the map does not draw them).
    pages : mapping, optional
        Curated site name -> its page, relative to the site root (``sites/<slug>/index.html``).
    screening : pandas.DataFrame, optional
        The screening layer (:data:`atlas.screening.COLUMNS`); adds :data:`SCREENING_COLUMNS`.

    Raises
    ------
    CRSPolicyError
        When ``usgs`` or ``sites`` is not in EPSG:4326.

    Returns
    -------
    dict
        ``columns`` (keys and labels), ``shared`` (per shared column, its distinct values),
        ``rows`` (one array per site; a shared column holds an index into its values, or
        null), ``modelled`` (the screening's label, or null).
    """
    require_wgs84(usgs, "usgs_sites")
    require_wgs84(sites, "sites")
    rows = _curated_rows(sites, pages or {}) + _usgs_rows(usgs)
    columns = COLUMNS
    if screening is not None:
        _screened(rows, screening)
        columns = COLUMNS + SCREENING_COLUMNS
    for row in rows:
        row["lon"], row["lat"] = _coordinate(row.pop("geometry"))
    shared = {
        c.key: sorted({str(r[c.key]) for r in rows if r.get(c.key) is not None})
        for c in columns
        if c.shared
    }
    index = {key: {value: k for k, value in enumerate(values)} for key, values in shared.items()}

    def cell(row: dict[str, Any], column: SiteColumn) -> Any:
        value = row.get(column.key)
        if value is None or not column.shared:
            return value
        return index[column.key][str(value)]

    return {
        "columns": [{"key": c.key, "label": c.label} for c in columns],
        "shared": shared,
        "rows": [[cell(row, column) for column in columns] for row in rows],
        "modelled": None if screening is None else SCREENING_LABEL,
        "curated": CURATED,
        "usgs": USGS,
    }


def write_site_data(site_dir: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` (:func:`site_data`) as :data:`DATA_FILE` into ``site_dir``; its path."""
    return write_data_file(site_dir, DATA_FILE, "atlasSites", data)
