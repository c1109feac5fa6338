"""Small layers, built in code, with the shapes and columns the page is built from."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, box

from atlas.load import Layers

XSS_NAME = "<script>alert(1)</script>"
"""A located site name that would run if it were ever inserted as HTML."""

XSS_UNLOCATED = "<b>Bold</b> & <i>unlocated</i>"
"""An unlocated site name, listed in the side panel."""


def _frame(rows: list[dict], geometry: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=4326)


def make_sites() -> gpd.GeoDataFrame:
    rows = [
        {
            "name": "Bayan Obo",
            "kind": "mine",
            "commodity": "REE;Fe;Nb",
            "country": "China",
            "lon": 109.974444,
            "lat": 41.799167,
            "source": "USGS OFR 2009-1139 record 23",
            "notes": "Open pit",
            "nearest_river_name": "Huang",
            "nearest_river_distance_m": 11_812.4,
            "country_name": "China",
            "nearest_town_name": "Bayan Obo",
            "nearest_town_distance_m": 3_210.0,
            "distance_crs": "EPSG:32649",
        },
        {
            "name": "Baogang tailings dam",
            "kind": "tailings pond",
            "commodity": "REE tailings",
            "country": "China",
            "lon": 109.687972,
            "lat": 40.637861,
            "source": "Wikipedia infobox",
            "notes": "Point = infobox coordinate",
            "nearest_river_name": "Huang",
            "nearest_river_distance_m": 11_800.0,
            "country_name": "China",
            "nearest_town_name": None,
            "nearest_town_distance_m": np.nan,
            "distance_crs": "EPSG:32649",
        },
        {
            "name": XSS_NAME,
            "kind": "magnet plant",
            "commodity": "<img src=x onerror=alert(2)>",
            "country": "Nowhere",
            "lon": 20.0,
            "lat": 10.0,
            "source": "a test <source>",
            "notes": "",
        },
        {
            "name": "Mountain Pass",
            "kind": "town (reference)",
            "commodity": "",
            "country": "United States",
            "lon": -115.53,
            "lat": 35.48,
            "source": "Natural Earth populated places",
            "notes": "",
        },
        {
            "name": XSS_UNLOCATED,
            "kind": "deposit / project",
            "commodity": "REE",
            "country": "Greenland",
            "lon": np.nan,
            "lat": np.nan,
            "source": "press release <2024>",
            "notes": "about 40 km NE of Narsaq <unverified>",
        },
    ]
    geometry = [None if np.isnan(row["lon"]) else Point(row["lon"], row["lat"]) for row in rows]
    return _frame(rows, geometry)


def make_usgs_sites() -> gpd.GeoDataFrame:
    rows = [
        {
            "dataset": "USGS MRDS",
            "source_id": "https://mrdata.usgs.gov/mrds",
            "record_id": str(10183188 + i),
            "record_url": f"https://mrdata.usgs.gov/mrds/show-mrds.php?dep_id={10183188 + i}",
            "site_name": f"Record {i}",
            "other_names": "",
            "country": "China",
            "state_or_province": "Nei Mongol",
            "commodity": "Cerium,Lanthanum",
            "deposit_type": "Carbonatite REE",
        }
        for i in range(6)
    ]
    rows[1]["record_url"] = "javascript:alert(3)"
    rows[2]["site_name"] = "Sulphide <Hill>"
    geometry = [Point(100.0 + 3 * i, 30.0 + i) for i in range(5)] + [None]
    return _frame(rows, geometry)


def make_layer_frames() -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Every layer, small, by name."""
    huang = LineString([(106.0, 40.3), (109.0, 40.5), (110.5, 40.55), (111.5, 39.5)])
    river_rows = [{"name": "Huang", "scalerank": 3, "featurecla": "River"}]
    lake = Polygon([(108.5, 40.9), (108.9, 40.9), (108.9, 41.2), (108.5, 41.2)])
    pond = Polygon([(109.66, 40.62), (109.72, 40.62), (109.72, 40.66), (109.66, 40.66)])
    return {
        "sites": make_sites(),
        "usgs_sites": make_usgs_sites(),
        "countries": _frame(
            [
                {"name": "China", "iso_a3": "CHN", "continent": "Asia"},
                {"name": "Landia", "iso_a3": "LND", "continent": "Africa"},
            ],
            [box(73.0, 18.0, 135.0, 53.0), box(0.0, 0.0, 30.0, 20.0)],
        ),
        "rivers_10m": _frame(river_rows, [huang]),
        "rivers_50m": _frame(river_rows, [huang.simplify(0.5)]),
        "lakes_10m": _frame([{"name": "Ulansuhai Nur"}], [lake]),
        "lakes_50m": _frame([{"name": "Ulansuhai Nur"}], [lake]),
        "tailings_pond": _frame(
            [
                {
                    "name": "Baogang tailings pond",
                    "area_km2": 11.0,
                    "perimeter_km": 13.6,
                    "geometry_method": "ellipse of the published area around the infobox point",
                    "sources": "Wikipedia; Sohu 2006",
                    "notes": "",
                }
            ],
            [pond],
        ),
        "towns": _frame(
            [
                {
                    "name": "Baotou",
                    "adm1name": "Inner Mongol",
                    "adm0name": "China",
                    "pop_max": 2.0e6,
                    "featurecla": "Admin-1 capital",
                }
            ],
            [Point(109.84, 40.65)],
        ),
        "context_facts": pd.DataFrame(
            [
                {
                    "fact_id": "f1",
                    "topic": "supply",
                    "commodity": "REE",
                    "statement": "share",
                    "value": "70",
                    "unit": "%",
                    "as_of": "2025",
                    "source": "a source",
                    "source_cites": "",
                    "notes": "",
                }
            ]
        ),
        "observations": _frame(
            [
                {
                    "id": "obs-1",
                    "name": "Well near the dam",
                    "location_method": "described as 1 km south of the dam",
                    "location_is_approximate": True,
                    "date": "2006",
                    "measured": "thorium in groundwater",
                    "result": "elevated",
                    "source": "Example et al. 2006",
                },
                {
                    "id": "obs-2",
                    "name": "Unplaced sample",
                    "location_method": "",
                    "location_is_approximate": True,
                    "date": "2010",
                    "measured": "fluoride",
                    "result": "above limit",
                    "source": "Example 2010",
                },
            ],
            [Point(109.69, 40.61), None],
        ),
    }


def make_layers() -> Layers:
    """Every layer the page draws, small, as the typed :class:`atlas.load.Layers`."""
    return Layers(**make_layer_frames())
