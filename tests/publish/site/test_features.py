"""Layers become small, sorted, rounded GeoJSON; rows without a location are left out."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from atlas.errors import CRSPolicyError
from atlas.publish.site.features import feature_collection


def _points(coords, names):
    geometry = [None if c is None else Point(c) for c in coords]
    return gpd.GeoDataFrame({"name": names}, geometry=geometry, crs=4326)


def _names(row):
    return {"name": row["name"]}


@given(
    st.lists(
        st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=1, max_size=20, unique=True
    ),
    st.integers(0, 6),
)
def test_coordinates_are_rounded_to_the_requested_decimals(coords, decimals):
    frame = _points(coords, [f"p{i:02d}" for i in range(len(coords))])
    data = feature_collection(frame, _names, sort_by=("name",), decimals=decimals)
    got = np.array([f["geometry"]["coordinates"] for f in data["features"]])
    np.testing.assert_allclose(got, np.round(np.array(coords), decimals), atol=0)
    assert np.all(np.abs(got - np.array(coords)) <= 0.5 * 10.0**-decimals + 1e-9)


def test_features_are_sorted_and_unlocated_rows_dropped():
    frame = _points([(1, 1), None, (2, 2)], ["b", "lost", "a"])
    data = feature_collection(frame, _names, sort_by=("name",))
    assert [f["properties"]["name"] for f in data["features"]] == ["a", "b"]


def test_layers_not_in_wgs84_are_refused():
    frame = _points([(1, 1)], ["a"]).to_crs(3857)
    with pytest.raises(CRSPolicyError, match=r"roads: expected a layer in EPSG:4326"):
        feature_collection(frame, _names, sort_by=(), where="roads")
