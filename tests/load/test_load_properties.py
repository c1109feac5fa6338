"""Properties of the readers: any text survives, in-range points load exactly, CRSs reproject."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layerfiles import site_row, write_geojson, write_sites_csv

from atlas.crs import transform_xy
from atlas.errors import LayerError
from atlas.load import LAYERS, POINTS, LayerSpec, read_layer, read_vector

SITES = LAYERS["sites"]
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "Quote \"double\" and 'single', comma",
    "Multi\nline",
    "打拉亥上村 (Dalahai) — ²³²Th",
    '=HYPERLINK("http://x")',
]
PERMISSIVE = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
    lambda text: text.strip() != ""
)


def test_any_text_in_names_survives_a_csv_round_trip(tmp_path):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row(name) for name in HOSTILE_NAMES])
    assert read_vector(path, SITES)["name"].tolist() == HOSTILE_NAMES


def test_any_text_in_names_survives_a_geojson_round_trip(tmp_path):
    spec = LayerSpec("labels", "labels.geojson", POINTS, {"name": "text"}, label_column="name")
    point = {"type": "Point", "coordinates": [1.0, 2.0]}
    path = write_geojson(tmp_path / "labels.geojson", [(n, point) for n in HOSTILE_NAMES], {})
    assert read_vector(path, spec)["name"].tolist() == HOSTILE_NAMES


def test_a_hostile_name_in_a_tmp_root_loads_through_read_layer(tmp_path):
    (tmp_path / "layers").mkdir()
    write_sites_csv(tmp_path / "layers" / "sites.csv", [site_row("<script>alert(1)</script>")])
    sites = read_layer("sites", tmp_path)
    assert sites.loc[0, "name"] == "<script>alert(1)</script>"


@PERMISSIVE
@given(name=names)
def test_generated_names_are_read_back_unchanged(tmp_path, name):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row(name)])
    assert read_vector(path, SITES).loc[0, "name"] == name


@PERMISSIVE
@given(
    lon=st.floats(-180, 180, allow_nan=False),
    lat=st.floats(-90, 90, allow_nan=False),
)
def test_in_range_points_load_with_their_exact_coordinates(tmp_path, lon, lat):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("P", lon=repr(lon), lat=repr(lat))])
    point = read_vector(path, SITES).geometry.iloc[0]
    assert (point.x, point.y) == (lon, lat)


@PERMISSIVE
@given(
    lat=st.one_of(
        st.floats(90, 1e6, exclude_min=True, allow_nan=False),
        st.floats(-1e6, -90, exclude_max=True, allow_nan=False),
    )
)
def test_out_of_range_latitudes_are_always_rejected(tmp_path, lat):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("P", lon=0.0, lat=repr(lat))])
    with pytest.raises(LayerError) as caught:
        read_vector(path, SITES)
    assert f"row 1 ('P'): lat {lat!r} is outside [-90, 90]" in str(caught.value)


def test_rows_without_coordinates_have_no_geometry_but_stay(tmp_path):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("Here"), site_row("Unknown", "", "")])
    sites = read_vector(path, SITES)
    assert sites["name"].tolist() == ["Here", "Unknown"]
    assert sites.geometry.isna().tolist() == [False, True]
    assert pd.isna(sites.loc[1, "lon"])


def test_a_projected_layer_is_reprojected_to_wgs84(tmp_path):
    x, y = 402_000.0, 4_499_000.0
    frame = gpd.GeoDataFrame(
        {"name": ["Pond"], "scalerank": [1], "featurecla": ["Lake"]},
        geometry=[shapely.box(x, y, x + 1000, y + 1000)],
        crs="EPSG:32649",
    )
    path = tmp_path / "lakes.gpkg"
    frame.to_file(path)
    lakes = read_vector(path, LAYERS["lakes_50m"])
    assert lakes.crs.to_epsg() == 4326
    corners = shapely.get_coordinates(frame.geometry.iloc[0])
    lon, lat = transform_xy(corners[:, 0], corners[:, 1], "EPSG:32649", "EPSG:4326")
    read_back = shapely.get_coordinates(lakes.geometry.iloc[0])
    np.testing.assert_allclose(read_back, np.column_stack([lon, lat]), rtol=0, atol=1e-9)
