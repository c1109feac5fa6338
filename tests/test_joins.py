"""Joins measure in metres, in each site's UTM zone, and keep sites without a location."""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from atlas.crs import transform_xy
from atlas.errors import CRSPolicyError
from atlas.joins import join_country, join_nearest, join_sites


def _points(rows):
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows]},
        geometry=[None if r[1] is None else Point(r[1]) for r in rows],
        crs=4326,
    )


def _north_south_line_at_easting(easting_m, zone="EPSG:32649", name="River"):
    """A line along a constant UTM easting, as lon/lat vertices."""
    northings = np.linspace(4_400_000, 4_600_000, 50)
    lon, lat = transform_xy(np.full_like(northings, easting_m), northings, zone, "EPSG:4326")
    return gpd.GeoDataFrame(
        {"name": [name]}, geometry=[LineString(zip(lon, lat, strict=True))], crs=4326
    )


def test_nearest_distance_is_metres_in_the_site_utm_zone():
    lon, lat = transform_xy([500_000.0], [4_500_000.0], "EPSG:32649", "EPSG:4326")
    sites = _points([("pond", (lon[0], lat[0]))])
    river = _north_south_line_at_easting(512_000.0)
    joined = join_nearest(sites, river)
    assert joined.loc[0, "name"] == "River"
    # The densified line is straight in UTM, so the distance is 12 km to the metre.
    assert joined.loc[0, "distance_m"] == pytest.approx(12_000.0, abs=1.0)


def test_offsets_point_to_the_nearest_point_of_the_feature_in_utm_metres():
    lon, lat = transform_xy([500_000.0, 530_000.0], [4_500_000.0] * 2, "EPSG:32649", "EPSG:4326")
    sites = _points([("west", (lon[0], lat[0])), ("inside", (lon[1], lat[1])), ("nowhere", None)])
    corners = transform_xy(
        [525_000, 535_000, 535_000, 525_000],
        [4_495_000] * 2 + [4_505_000] * 2,
        "EPSG:32649",
        "EPSG:4326",
    )
    water = pd.concat(
        [
            _north_south_line_at_easting(512_000.0),
            gpd.GeoDataFrame(
                {"name": ["Lake"]},
                geometry=[shapely.Polygon(list(zip(*corners, strict=True)))],
                crs=4326,
            ),
        ],
        ignore_index=True,
    )
    joined = join_nearest(sites, water, offsets=True)
    assert list(joined["feature"][:2]) == [0, 1]
    assert list(joined["utm_epsg"][:2]) == [32649, 32649]
    assert joined.loc[0, "dx_m"] == pytest.approx(12_000.0, abs=1.0)
    assert joined.loc[0, "dy_m"] == pytest.approx(0.0, abs=1.0)
    assert np.hypot(joined.loc[0, "dx_m"], joined.loc[0, "dy_m"]) == pytest.approx(
        joined.loc[0, "distance_m"]
    )
    assert (joined.loc[1, "dx_m"], joined.loc[1, "dy_m"], joined.loc[1, "distance_m"]) == (0, 0, 0)
    assert pd.isna(joined.loc[2, "feature"])
    assert np.isnan(joined.loc[2, "dx_m"])


def test_sites_without_location_are_kept_unmatched():
    sites = _points([("somewhere", None), ("here", (109.9, 40.6))])
    joined = join_nearest(sites, _north_south_line_at_easting(600_000.0))
    assert pd.isna(joined.loc[0, "name"])
    assert np.isnan(joined.loc[0, "distance_m"])
    assert joined.loc[1, "name"] == "River"


def test_matches_beyond_max_distance_are_dropped():
    lon, lat = transform_xy([500_000.0], [4_500_000.0], "EPSG:32649", "EPSG:4326")
    sites = _points([("pond", (lon[0], lat[0]))])
    far = join_nearest(sites, _north_south_line_at_easting(650_000.0), max_distance_m=100_000)
    assert pd.isna(far.loc[0, "name"])


def test_sites_in_different_zones_are_measured_in_their_own_zone():
    sites = _points([("east", (109.7, 40.6)), ("west", (-115.5, 35.5))])
    towns = _points([("near east", (109.8, 40.6)), ("near west", (-115.4, 35.5))])
    joined = join_nearest(sites, towns)
    assert list(joined["name"]) == ["near east", "near west"]
    # 0.1 degree of longitude at these latitudes: ~8.45 km and ~9.07 km.
    np.testing.assert_allclose(joined["distance_m"], [8_450, 9_070], rtol=0.01)


def test_country_inside_and_coastal_fallback():
    countries = gpd.GeoDataFrame(
        {"name": ["Landia", "Farland"]}, geometry=[box(0, 0, 1, 1), box(5, 5, 6, 6)], crs=4326
    )
    sites = _points([("inland", (0.5, 0.5)), ("offshore", (1.1, 0.5)), ("sea", (3.0, 3.0))])
    names = join_country(sites, countries)
    assert list(names.fillna("-")) == ["Landia", "Landia", "-"]


def test_join_sites_adds_every_field_and_names_the_zone():
    sites = _points([("east", (109.7, 40.6)), ("lost", None)])
    countries = gpd.GeoDataFrame({"name": ["China"]}, geometry=[box(100, 30, 120, 50)], crs=4326)
    towns = _points([("Baotou", (109.8, 40.6))])
    rivers = _north_south_line_at_easting(420_000.0, name="Huang")
    joined = join_sites(sites, rivers=rivers, countries=countries, towns=towns)
    for column, first in [
        ("distance_crs", "EPSG:32649"),
        ("country_name", "China"),
        ("nearest_river_name", "Huang"),
    ]:
        assert joined.loc[0, column] == first
        assert pd.isna(joined.loc[1, column])
    assert joined.loc[0, "nearest_town_distance_m"] == pytest.approx(8_450, rel=0.01)
    assert np.isnan(joined.loc[1, "nearest_river_distance_m"])


def test_join_sites_refuses_projected_layers():
    sites = _points([("a", (0.5, 0.5))])
    rivers = _points([("r", (0.6, 0.5))]).to_crs("EPSG:32631")
    with pytest.raises(CRSPolicyError, match=r"EPSG:4326"):
        join_sites(sites, rivers=rivers, countries=sites, towns=sites)


def test_baotou_pond_to_yellow_river_matches_the_published_10_to_12_km():
    """Published: 'about 10 km' (Meiri Jingji Xinwen 2010), ~11 km (NYT), 12 km (Si et al. 2021)."""
    from atlas.load import find_root, load_layers

    layers = load_layers(find_root(Path(__file__).resolve().parents[1]))
    joined = join_sites(
        layers.sites, rivers=layers.rivers_10m, countries=layers.countries, towns=layers.towns
    )
    pond = joined[joined["kind"] == "tailings pond"].set_index("name")
    baotou = pond.loc[pond.index.str.startswith("Baogang")].iloc[0]
    assert baotou["nearest_river_name"] == "Huang"
    assert 10_000 <= baotou["nearest_river_distance_m"] <= 12_000
    assert baotou["country_name"] == "China"
    assert baotou["distance_crs"] == "EPSG:32649"
