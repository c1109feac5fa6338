"""Build ``layers/`` from the shared source data (a maintainer tool; the atlas only reads layers/).

Usage::

    .venv/bin/python scripts/prepare_layers.py --shared ../shared/data --out layers

Deterministic: the same inputs give the same bytes (GeoPackages carry a fixed timestamp, features
keep their source order). Everything is built in a temporary folder next to ``--out``, read
back through :mod:`atlas.load` (so the shipped layers pass the same validation as user data),
and only then moved into place, file by file. ``layers/SOURCES.md`` is filled in from
``scripts/SOURCES.template.md`` with the counts and checksums of the files just built.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import os
import shutil
import string
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from observation_records import RECORDS, ObservationRecord, Place
from scipy.optimize import brentq
from shapely.ops import nearest_points

from atlas.crs import WGS84, transform_xy
from atlas.load import LAYERS, load_layers

RETRIEVED = "2026-11-23"
"""Date the files under shared/data were gathered (PROVENANCE.md); used as the GPKG timestamp."""
WINDOW_HALF_WIDTH_DEG = 1.5
"""Half-width in degrees of the box around each curated site that the 10m layers are clipped to."""
COORDINATE_DECIMALS = 7
"""Decimals kept for computed lon/lat vertices (1e-7 degree is about 1 cm)."""

POND_LON, POND_LAT = 109.687972, 40.637861
POND_AREA_KM2, POND_PERIMETER_KM = 11.0, 13.6
POND_VERTICES = 720
UTM_49N, UTM_11N = "EPSG:32649", "EPSG:32611"
MOUNTAIN_PASS_LON, MOUNTAIN_PASS_LAT = -115.53218, 35.4786

NE_LINE_COLUMNS = ["name", "name_en", "scalerank", "featurecla"]
NE_LAKE_COLUMNS = ["name", "scalerank", "featurecla"]
LICENCE_FILES = {
    "naturalearth/martynafford_natural-earth-geojson_LICENCE_CC0.txt": (
        "LICENCE_natural-earth-geojson_CC0.txt"
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="the shared/data folder")
    parser.add_argument("--out", type=Path, required=True, help="the layers/ folder to write")
    args = parser.parse_args(argv)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{RETRIEVED}T00:00:00.000Z"})
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".layers-build-") as build:
        staging = Path(build) / "layers"
        staging.mkdir()
        counts = build_layers(args.shared, staging)
        load_layers(Path(build))
        write_sources(staging, counts)
        for path in sorted(staging.iterdir()):
            os.replace(path, out / path.name)
    print(f"wrote {len(counts) + 1 + len(LICENCE_FILES)} files to {out}")
    return 0


def build_layers(shared: Path, staging: Path) -> dict[str, int]:
    """Write every layer of :data:`atlas.load.LAYERS` into ``staging``; rows per layer."""
    ne = shared / "naturalearth"
    sites = pd.read_csv(shared / "sites_verified.csv", dtype=str, keep_default_na=False)
    windows = site_windows(sites)
    rivers_10m = natural_earth(ne / "ne_10m_rivers_lake_centerlines.geojson", NE_LINE_COLUMNS)
    pond = tailings_pond()
    layers: dict[str, pd.DataFrame] = {
        "usgs_sites": usgs_sites(shared / "sites" / "ree_sites_usgs_via_criticalmaas.csv"),
        "rivers_10m": clip(rivers_10m, windows),
        "rivers_50m": natural_earth(ne / "ne_50m_rivers_lake_centerlines.geojson", NE_LINE_COLUMNS),
        "lakes_10m": clip(natural_earth(ne / "ne_10m_lakes.geojson", NE_LAKE_COLUMNS), windows),
        "lakes_50m": natural_earth(ne / "ne_50m_lakes.geojson", NE_LAKE_COLUMNS),
        "countries": countries(ne / "ne_50m_admin_0_countries.geojson"),
        "towns": towns(ne / "ne_10m_populated_places_simple.geojson"),
        "tailings_pond": pond,
        "observations": observations(RECORDS, rivers_10m, pond),
    }
    for name, frame in layers.items():
        target = staging / LAYERS[name].filename
        if isinstance(frame, gpd.GeoDataFrame) and target.suffix == ".gpkg":
            pyogrio.write_dataframe(frame, target, layer=name, driver="GPKG")
        else:
            write_csv(frame, target)
    shutil.copyfile(shared / "sites_verified.csv", staging / LAYERS["sites"].filename)
    shutil.copyfile(shared / "context_facts.csv", staging / LAYERS["context_facts"].filename)
    for source, target_name in LICENCE_FILES.items():
        shutil.copyfile(shared / source, staging / target_name)
    counts = {name: len(frame) for name, frame in layers.items()}
    counts["sites"] = len(sites)
    counts["context_facts"] = len(pd.read_csv(shared / "context_facts.csv", dtype=str))
    return counts


def site_windows(sites: pd.DataFrame) -> shapely.Geometry:
    """Union of the lon/lat boxes of ±WINDOW_HALF_WIDTH_DEG around every site with a coordinate."""
    located = sites[(sites["lon"] != "") & (sites["lat"] != "")]
    lon = located["lon"].astype(float).to_numpy()
    lat = located["lat"].astype(float).to_numpy()
    half = WINDOW_HALF_WIDTH_DEG
    boxes = shapely.box(
        np.maximum(lon - half, -180), np.maximum(lat - half, -90),
        np.minimum(lon + half, 180), np.minimum(lat + half, 90),
    )  # fmt: skip
    return shapely.union_all(boxes)


def natural_earth(path: Path, columns: list[str]) -> gpd.GeoDataFrame:
    """A Natural Earth layer: columns kept, null geometries dropped, invalid ones repaired."""
    frame = gpd.read_file(path)
    frame = frame.loc[frame.geometry.notna(), [*columns, "geometry"]].reset_index(drop=True)
    return repair_polygons(frame)


def repair_polygons(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make invalid polygons valid (keeping only their polygonal parts); lines are left as is."""
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        repaired = shapely.make_valid(frame.geometry[invalid].to_numpy())
        polygonal = [_polygonal_part(geometry) for geometry in repaired]
        frame.loc[invalid, "geometry"] = gpd.GeoSeries(polygonal, index=frame.index[invalid])
    return frame


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)


def clip(frame: gpd.GeoDataFrame, mask: shapely.Geometry) -> gpd.GeoDataFrame:
    """Clip to ``mask`` keeping the geometry type and the source order of the features."""
    clipped = gpd.clip(frame, mask, keep_geom_type=True).sort_index()
    return clipped[~clipped.geometry.is_empty].reset_index(drop=True)


def usgs_sites(path: Path) -> gpd.GeoDataFrame:
    """The USGS REE sites as points (null geometry where the record has no coordinate)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    located = (table["lon"] != "") & (table["lat"] != "")
    geometry = np.full(len(table), None, dtype=object)
    geometry[located] = shapely.points(
        table.loc[located, "lon"].astype(float), table.loc[located, "lat"].astype(float)
    )
    columns = list(LAYERS["usgs_sites"].columns)
    return gpd.GeoDataFrame(table[columns], geometry=list(geometry), crs=WGS84)


def countries(path: Path) -> gpd.GeoDataFrame:
    """Admin-0 countries: name, ISO alpha-3 (-99 replaced by ISO_A3_EH, then ADM0_A3), continent."""
    frame = gpd.read_file(path)
    code = frame["ISO_A3"].where(frame["ISO_A3"] != "-99", frame["ISO_A3_EH"])
    code = code.where(code != "-99", frame["ADM0_A3"])
    result = gpd.GeoDataFrame(
        {"name": frame["NAME"], "iso_a3": code, "continent": frame["CONTINENT"]},
        geometry=frame.geometry,
        crs=WGS84,
    )
    return repair_polygons(result)


def towns(path: Path) -> gpd.GeoDataFrame:
    """Populated places with the columns the nearest-town join needs."""
    frame = gpd.read_file(path)
    return frame[["name", "adm1name", "adm0name", "pop_max", "featurecla", "geometry"]]


def ellipse_semi_axes_km(area_km2: float, perimeter_km: float) -> tuple[float, float]:
    """Semi-axes (a >= b, km) of the ellipse with a given area (pi a b) and perimeter.

    The perimeter is Ramanujan's first approximation
    P = pi (3 (a + b) - sqrt((3 a + b)(a + 3 b))), solved for a with b = area / (pi a).
    """

    def perimeter_error(a: float) -> float:
        b = area_km2 / (math.pi * a)
        return math.pi * (3 * (a + b) - math.sqrt((3 * a + b) * (a + 3 * b))) - perimeter_km

    radius = math.sqrt(area_km2 / math.pi)
    a = brentq(perimeter_error, radius, 100 * radius, xtol=1e-12)
    return a, area_km2 / (math.pi * a)


def tailings_pond() -> gpd.GeoDataFrame:
    """The Baotou pond as an ellipse of the published area and perimeter, major axis E-W."""
    a_km, b_km = ellipse_semi_axes_km(POND_AREA_KM2, POND_PERIMETER_KM)
    (x0,), (y0,) = transform_xy([POND_LON], [POND_LAT], WGS84, UTM_49N)
    angle = np.linspace(0.0, 2 * np.pi, POND_VERTICES, endpoint=False)
    x = x0 + 1000 * a_km * np.cos(angle)
    y = y0 + 1000 * b_km * np.sin(angle)
    lon, lat = transform_xy(x, y, UTM_49N, WGS84)
    ring = np.round(np.column_stack([lon, lat]), COORDINATE_DECIMALS)
    return gpd.GeoDataFrame(
        {
            "name": ["Baogang (Baotou / Weikuang) tailings pond"],
            "area_km2": [POND_AREA_KM2],
            "perimeter_km": [POND_PERIMETER_KM],
            "semi_major_axis_km": [round(a_km, 4)],
            "semi_minor_axis_km": [round(b_km, 4)],
            "orientation": ["assumed: major axis E-W (the real orientation is unknown)"],
            "geometry_method": ["approximation: ellipse of published area/perimeter"],
            "sources": [
                "area 11 km², perimeter 13.6 km, elliptical: Sohu News 2006-09-21, "
                "news.sohu.com/20060921/n245455061.shtml; centre: Wikipedia 'Baogang Tailings "
                "Dam' infobox 40.637861 N 109.687972 E (mirror de.mgwiki.top)"
            ],
            "notes": [
                "No published outline exists. Semi-axes solved from area = pi a b and "
                "Ramanujan's perimeter; built in UTM 49N (EPSG:32649), centred on the infobox "
                "point (not a surveyed centroid), stored in EPSG:4326. Wikipedia gives 10 km² "
                "and an 11.5 km dam."
            ],
        },
        geometry=[shapely.Polygon(ring)],
        crs=WGS84,
    )


def observations(
    records: tuple[ObservationRecord, ...], rivers: gpd.GeoDataFrame, pond: gpd.GeoDataFrame
) -> pd.DataFrame:
    """The observations table; a record with a ``place`` gets lon/lat from its rule."""
    rules: dict[str, Callable[[Place], tuple[float, float]]] = {
        "west_of_pond_dam": lambda place: west_of_pond_dam(pond, place.distance_m),
        "nearest_yellow_river_point": lambda place: nearest_yellow_river_point(rivers),
        "northeast_of_mountain_pass": lambda place: northeast_of_mountain_pass(place.distance_m),
    }
    rows = []
    for record in records:
        lon, lat = (None, None) if record.place is None else rules[record.place.rule](record.place)
        rows.append(
            {
                "id": record.id,
                "site": record.site,
                "name": record.name,
                "lon": "" if lon is None else f"{lon:.6f}",
                "lat": "" if lat is None else f"{lat:.6f}",
                "location_method": record.location_method,
                "location_is_approximate": "true",
                "period": record.period,
                "measured": record.measured,
                "result": record.result,
                "source": record.source,
                "notes": record.notes,
            }
        )
    return pd.DataFrame(rows)


def west_of_pond_dam(pond: gpd.GeoDataFrame, distance_m: float) -> tuple[float, float]:
    """Point ``distance_m`` due W of the pond's western end, on the parallel of its centre."""
    outline = pond.to_crs(UTM_49N).geometry.iloc[0]
    (_,), (y0,) = transform_xy([POND_LON], [POND_LAT], WGS84, UTM_49N)
    west_end_x = outline.bounds[0]
    (lon,), (lat,) = transform_xy([west_end_x - distance_m], [y0], UTM_49N, WGS84)
    return float(lon), float(lat)


def nearest_yellow_river_point(rivers: gpd.GeoDataFrame) -> tuple[float, float]:
    """Nearest point of the NE 10m Huang centreline to the pond point, found in UTM 49N."""
    huang = shapely.union_all(rivers.loc[rivers["name"] == "Huang"].to_crs(UTM_49N).geometry)
    (x0,), (y0,) = transform_xy([POND_LON], [POND_LAT], WGS84, UTM_49N)
    on_river, _ = nearest_points(huang, shapely.Point(x0, y0))
    (lon,), (lat,) = transform_xy([on_river.x], [on_river.y], UTM_49N, WGS84)
    return float(lon), float(lat)


def northeast_of_mountain_pass(distance_m: float) -> tuple[float, float]:
    """Point ``distance_m`` NE (bearing 45 degrees) of the Mountain Pass mine, in UTM 11N."""
    (x0,), (y0,) = transform_xy([MOUNTAIN_PASS_LON], [MOUNTAIN_PASS_LAT], WGS84, UTM_11N)
    step = distance_m / math.sqrt(2)
    (lon,), (lat,) = transform_xy([x0 + step], [y0 + step], UTM_11N, WGS84)
    return float(lon), float(lat)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A UTF-8 CSV with Unix line ends, minimal quoting and no index."""
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def write_sources(staging: Path, counts: dict[str, int]) -> None:
    """Fill ``SOURCES.template.md`` with row counts, sizes and SHA-256 of the built files."""
    values: dict[str, str] = {}
    for name, spec in LAYERS.items():
        data = (staging / spec.filename).read_bytes()
        values[f"{name}_rows"] = f"{counts[name]:,}"
        values[f"{name}_bytes"] = f"{len(data):,}"
        values[f"{name}_sha256"] = hashlib.sha256(data).hexdigest()
    total = sum((staging / spec.filename).stat().st_size for spec in LAYERS.values())
    values["total_bytes"] = f"{total:,}"
    template = (Path(__file__).parent / "SOURCES.template.md").read_text(encoding="utf-8")
    text = string.Template(template).substitute(values)
    (staging / "SOURCES.md").write_text(text, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    sys.exit(main())
