"""The CRS policy: one parser, projected metres for work, always_xy transformers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from atlas.crs import (
    WGS84,
    as_crs,
    require_projected_metres,
    transform_xy,
    utm_crs_for,
    utm_epsg_for,
)
from atlas.errors import AtlasError, CRSPolicyError


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (109.687972, 40.637861, 32649),  # Baotou tailings pond
        (-115.53218, 35.4786, 32611),  # Mountain Pass
        (122.548056, -28.864444, 32751),  # Mount Weld, southern hemisphere
        (-180.0, 0.0, 32601),
        (180.0, -0.0001, 32760),
    ],
)
def test_utm_zone_of_known_sites(lon, lat, epsg):
    assert utm_epsg_for(lon, lat) == epsg


@given(st.floats(-180, 180), st.floats(-80, 84))
def test_utm_zone_contains_the_point(lon, lat):
    zone = utm_crs_for(lon, lat)
    x, _ = transform_xy([lon], [lat], WGS84, zone)
    # Inside its own zone a point lies within ~3.1 degrees of the central meridian,
    # i.e. well within 700 km of the 500 km false easting.
    assert abs(x[0] - 500_000.0) < 700_000.0


def test_utm_zone_rejects_degrees_out_of_range():
    with pytest.raises(CRSPolicyError, match="123"):
        utm_epsg_for(10.0, 123.0)


def test_transform_is_lon_lat_order():
    x, y = transform_xy([109.687972], [40.637861], "EPSG:4326", "EPSG:32649")
    back_lon, back_lat = transform_xy(x, y, "EPSG:32649", "EPSG:4326")
    # Zone 49 is centred on 111 E, so Baotou (109.7 E) lies west of the 500 km false easting.
    assert 380_000 < x[0] < 400_000
    assert 4_490_000 < y[0] < 4_510_000
    np.testing.assert_allclose([back_lon[0], back_lat[0]], [109.687972, 40.637861], atol=1e-9)


def test_geographic_crs_is_refused_for_work():
    with pytest.raises(CRSPolicyError, match="geographic") as info:
        require_projected_metres("EPSG:4326", where="scenario.toml: crs")
    assert "scenario.toml: crs" in str(info.value)
    assert "UTM" in str(info.value)


def test_projected_crs_in_feet_is_refused():
    with pytest.raises(CRSPolicyError, match="metre"):
        require_projected_metres("EPSG:2227")  # California zone 3, US survey feet


def test_unparseable_crs_names_the_value_and_is_a_value_error():
    with pytest.raises(ValueError, match="'EPSG:99999999'"):
        as_crs("EPSG:99999999", where="f.toml: crs")
    assert issubclass(CRSPolicyError, AtlasError)


def test_missing_crs_says_how_to_set_it():
    with pytest.raises(CRSPolicyError, match="crs = "):
        as_crs(None)
