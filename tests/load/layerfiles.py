"""Small layer files built in a test's tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

SITE_COLUMNS = ["name", "kind", "commodity", "country", "lon", "lat", "source", "notes"]


def site_row(name: str, lon: object = 109.69, lat: object = 40.64, **extra: object) -> dict:
    """One row of a sites-like CSV."""
    row = dict.fromkeys(SITE_COLUMNS, "x")
    row.update(name=name, lon=lon, lat=lat, **extra)
    return row


def write_sites_csv(path: Path, rows: list[dict], columns: list[str] = SITE_COLUMNS) -> Path:
    """Write ``rows`` as a sites-like CSV (only ``columns``, in that order)."""
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def write_geojson(path: Path, features: list[tuple[str, dict | None]], props: dict) -> Path:
    """A GeoJSON FeatureCollection: one feature per (name, geometry) with extra ``props``."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": name, **props}, "geometry": geometry}
            for name, geometry in features
        ],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    """A valid GeoJSON square polygon with its lower-left corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}
