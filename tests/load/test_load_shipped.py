"""The shipped layers/ load, validate and hold what SOURCES.md says they hold."""

from __future__ import annotations

import csv
from dataclasses import fields

import numpy as np
import pytest
import shapely

from atlas.load import LAYERS, Layers, load_layers, read_layer

UTM_49N = "EPSG:32649"
POND_LON, POND_LAT = 109.687972, 40.637861
MAX_LAYERS_BYTES = 20_000_000


@pytest.fixture(scope="module")
def layers(repo_root) -> Layers:
    return load_layers(repo_root)


@pytest.fixture(scope="module")
def sites_csv_rows(repo_root) -> list[dict[str, str]]:
    with (repo_root / "layers" / "sites.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_layers_fields_are_exactly_the_layer_names(layers):
    assert [f.name for f in fields(Layers)] == list(LAYERS)
    mapping = layers.as_mapping()
    assert list(mapping) == list(LAYERS)
    assert mapping["sites"] is layers.sites


def test_every_layer_is_in_wgs84_or_a_table(layers):
    for name, spec in LAYERS.items():
        frame = getattr(layers, name)
        assert list(spec.columns) == [c for c in frame.columns if c in spec.columns]
        if spec.is_table:
            assert "geometry" not in frame.columns
        else:
            assert frame.crs.to_epsg() == 4326, name


def test_read_layer_matches_load_layers(layers, repo_root):
    assert read_layer("towns", repo_root).equals(layers.towns)


def test_curated_sites_keep_every_row_and_invent_no_coordinate(layers, sites_csv_rows):
    sites = layers.sites
    assert len(sites) == 35
    assert sites["name"].tolist() == [row["name"] for row in sites_csv_rows]
    unverified = [row["lon"] == "" for row in sites_csv_rows]
    assert sites.geometry.isna().tolist() == unverified
    assert sum(kind.endswith("(reference)") for kind in sites["kind"]) == 11


def test_usgs_sites_keep_all_records_including_those_without_coordinates(layers):
    usgs = layers.usgs_sites
    assert len(usgs) == 2251
    assert usgs.geometry.isna().sum() == 221
    assert usgs["dataset"].str.startswith("USGS").all()


def test_rivers_have_no_null_geometries_and_include_the_yellow_river_at_baotou(layers):
    assert layers.rivers_10m.geometry.notna().all()
    assert layers.rivers_50m.geometry.notna().all()
    baotou_box = shapely.box(POND_LON - 1.5, POND_LAT - 1.5, POND_LON + 1.5, POND_LAT + 1.5)
    huang = layers.rivers_10m[layers.rivers_10m["name"] == "Huang"]
    assert huang.intersects(baotou_box).any()


def test_clipped_10m_layers_stay_within_the_site_windows(layers):
    located = layers.sites[layers.sites.geometry.notna()]
    windows = shapely.union_all([p.buffer(1.5, cap_style="square") for p in located.geometry])
    for frame in (layers.rivers_10m, layers.lakes_10m):
        assert windows.buffer(1e-9).contains(shapely.union_all(frame.geometry))


def test_countries_have_no_placeholder_iso_codes(layers):
    countries = layers.countries.set_index("name")
    assert not (countries["iso_a3"] == "-99").any()
    assert countries.loc["France", "iso_a3"] == "FRA"
    assert countries.loc["China", "iso_a3"] == "CHN"


def test_tailings_pond_matches_the_published_area_and_perimeter_in_utm(layers):
    pond = layers.tailings_pond
    assert len(pond) == 1
    outline = pond.to_crs(UTM_49N).geometry.iloc[0]
    assert outline.area / 1e6 == pytest.approx(11.0, rel=0.01)
    assert outline.length / 1e3 == pytest.approx(13.6, rel=0.01)
    centre = layers.tailings_pond.to_crs(UTM_49N).geometry.iloc[0].centroid
    published = layers.sites.to_crs(UTM_49N).loc[layers.sites["kind"] == "tailings pond"]
    assert published.distance(centre).min() < 1.0  # metres
    assert pond.loc[0, "geometry_method"] == "approximation: ellipse of published area/perimeter"
    assert "assumed" in pond.loc[0, "orientation"]


def test_observations_have_sources_and_say_how_each_point_was_made(layers):
    obs = layers.observations
    assert (obs["source"].str.strip() != "").all()
    placed = obs.geometry.notna()
    assert obs.loc[placed, "location_method"].str.match(r"(derived|described in words)").all()
    assert obs.loc[~placed, "location_method"].str.startswith("not placed").all()
    assert obs.loc[placed, "location_is_approximate"].all()
    assert set(obs["site"]) <= set(layers.sites["name"])


@pytest.mark.parametrize(
    ("obs_id", "placed"),
    [
        ("baotou_dalahai_upper_2km_w", True),
        ("baotou_dalahai_1_5km_w_wells", True),
        ("baotou_xinguang_wells_2002", False),
        ("baotou_yellow_river_bank", True),
        ("tailings_thesis_18_wells", False),
    ],
)
def test_required_observations_are_present(layers, obs_id, placed):
    row = layers.observations.set_index("id").loc[obs_id]
    assert (row.geometry is not None) == placed


def test_dalahai_points_lie_their_stated_distance_west_of_the_modelled_dam(layers):
    obs = layers.observations.set_index("id").to_crs(UTM_49N)
    pond = layers.tailings_pond.to_crs(UTM_49N).geometry.iloc[0]
    for obs_id, distance_m in [
        ("baotou_dalahai_upper_2km_w", 2000.0),
        ("baotou_dalahai_1_5km_w_wells", 1500.0),
    ]:
        point = obs.loc[obs_id, "geometry"]
        assert pond.distance(point) == pytest.approx(distance_m, abs=1.0)
        assert point.x < pond.bounds[0]


def test_yellow_river_observation_lies_on_the_huang_centreline(layers):
    obs = layers.observations.set_index("id").to_crs(UTM_49N)
    point = obs.loc["baotou_yellow_river_bank", "geometry"]
    rivers = layers.rivers_10m.to_crs(UTM_49N)
    huang = shapely.union_all(rivers.loc[rivers["name"] == "Huang"].geometry)
    pond = layers.sites.to_crs(UTM_49N).loc[layers.sites["kind"] == "tailings pond"].geometry
    assert huang.distance(point) < 1.0
    assert pond.iloc[0].distance(point) == pytest.approx(huang.distance(pond.iloc[0]), abs=1.0)
    assert 11_000 < pond.iloc[0].distance(point) < 13_000


def test_context_facts_is_a_table_of_unique_facts(layers):
    facts = layers.context_facts
    assert facts["fact_id"].is_unique
    assert (facts["source"].str.strip() != "").all()


def test_shipped_files_are_small_and_documented(repo_root):
    folder = repo_root / "layers"
    files = sorted(p for p in folder.iterdir() if p.is_file())
    assert sum(p.stat().st_size for p in files) < MAX_LAYERS_BYTES
    sources = (folder / "SOURCES.md").read_text(encoding="utf-8")
    for path in files:
        if path.name != "SOURCES.md":
            assert f"`{path.name}`" in sources, path.name
    assert {spec.filename for spec in LAYERS.values()} <= {p.name for p in files}


def test_points_are_in_lon_lat_order(layers):
    weld = layers.sites.set_index("name").loc["Mount Weld"]
    assert (weld.geometry.x, weld.geometry.y) == (weld["lon"], weld["lat"])
    assert np.all(np.abs(layers.towns.geometry.y) <= 90)
