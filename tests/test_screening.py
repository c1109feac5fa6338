"""The screening of every site: probabilities, geometry, determinism, files and the command line."""

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from atlas.cli import main
from atlas.crs import transform_xy, utm_epsg_for
from atlas.errors import AtlasError, OutputError
from atlas.load import load_layers
from atlas.plume.strip import strip_source_2d
from atlas.screening import (
    COLUMNS,
    HORIZONS_YR,
    SCREENING_LABEL,
    reach_probabilities,
    sample_priors,
    screen_sites,
    screening_sites,
    write_screening,
)
from atlas.screening_priors import DEFAULT_PRIORS, Prior, ScreeningPriors

ROOT = Path(__file__).resolve().parents[1]
FIXED = {
    "hydraulic_conductivity_m_per_day": 5.0,
    "hydraulic_gradient": 0.004,
    "effective_porosity": 0.25,
    "longitudinal_dispersivity_per_distance": 0.01,
    "transverse_to_longitudinal_dispersivity": 0.1,
    "source_width_m": 1000.0,
    "flow_direction_offset_deg": 0.0,
}


@pytest.fixture(scope="module")
def layers():
    return load_layers(ROOT)


@pytest.fixture(scope="module")
def some_sites(layers):
    """Every 100th site plus the curated ones: both datasets, many UTM zones, in a second."""
    sites = screening_sites(layers)
    curated = sites["dataset"].str.startswith("atlas")
    return sites[(sites.index % 100 == 0) | curated].reset_index(drop=True)


def test_degenerate_priors_give_the_deterministic_answer():
    priors = DEFAULT_PRIORS.degenerate(**FIXED)
    distances = np.array([0.0, 300.0, 1000.0, 3000.0, 6000.0, 20000.0])
    worst, uniform = reach_probabilities(
        distances, sample_priors(priors, 17, seed=3), priors.threshold_fraction
    )
    v = 5.0 * 365.25 * 0.004 / 0.25  # 29.2 m/yr
    for k, horizon in enumerate(HORIZONS_YR):
        d_l = 0.01 * np.maximum(distances, 1.0) * v
        c = strip_source_2d(
            distances,
            0.0,
            horizon,
            width_m=1000.0,
            velocity_m_per_yr=v,
            longitudinal_dispersion_m2_per_yr=d_l,
            transverse_dispersion_m2_per_yr=0.1 * d_l,
        )
        expected = (c >= priors.threshold_fraction).astype(float)
        np.testing.assert_array_equal(worst[:, k], expected)
        np.testing.assert_array_equal(uniform[:, k], expected)  # offset fixed at 0: the same
    assert set(np.unique(worst)) == {0.0, 1.0}  # both answers occur


def test_probability_grows_with_the_horizon_and_falls_with_distance():
    distances = np.geomspace(50.0, 200_000.0, 25)
    params = sample_priors(DEFAULT_PRIORS, 300, seed=11)
    worst, uniform = reach_probabilities(distances, params, DEFAULT_PRIORS.threshold_fraction)
    for p in (worst, uniform):
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(np.diff(p, axis=1) >= 0)  # 50 <= 100 <= 500 years
        assert np.all(np.diff(p, axis=0) <= 0)  # farther is never more likely
    assert worst[0, 0] > 0.9
    assert worst[-1, -1] < 0.05
    assert np.all(uniform <= worst + 0.05)  # off-axis flow rarely does better than the worst case


def test_a_wider_threshold_is_reached_less_often():
    distances = np.array([500.0, 5000.0])
    params = sample_priors(DEFAULT_PRIORS, 200, seed=5)
    loose, _ = reach_probabilities(distances, params, 0.01)
    strict, _ = reach_probabilities(distances, params, 0.2)
    assert np.all(strict <= loose)
    assert np.any(strict < loose)


def test_latin_hypercube_is_reproducible_and_stratified():
    a = sample_priors(DEFAULT_PRIORS, 50, seed=1)
    b = sample_priors(DEFAULT_PRIORS, 50, seed=1)
    c = sample_priors(DEFAULT_PRIORS, 50, seed=2)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["source_width_m"], c["source_width_m"])
    # one value in each of the 50 equal-probability strata of the loguniform width prior
    u = np.log(a["source_width_m"] / 100.0) / np.log(30.0)
    assert sorted(np.floor(u * 50).astype(int)) == list(range(50))


def test_the_layer_has_one_row_per_site_in_its_utm_zone(layers, some_sites):
    layer = screen_sites(layers, realizations=40, seed=1, sites=some_sites)
    assert list(layer.columns) == [*COLUMNS, "geometry"]
    assert layer.crs.to_epsg() == 4326
    assert len(layer) == len(some_sites)
    assert (layer["site_id"] == some_sites["site_id"]).all()
    zones = [utm_epsg_for(p.x, p.y) for p in layer.geometry]
    assert list(layer["utm_epsg"]) == zones
    found = layer["distance_m"].notna()
    assert found.mean() > 0.9
    assert (layer.loc[found, "distance_m"] >= 0).all()
    assert layer["bearing_deg"].dropna().between(0, 360, inclusive="left").all()
    probabilities = layer.filter(like="p_reach_")
    assert probabilities[found].stack().between(0, 1).all()
    assert (layer["modelled"] == SCREENING_LABEL).all()
    assert (layer["realizations"] == 40).all()
    assert (layer["seed"] == 1).all()
    baotou = layer[layer["site_name"].str.startswith("Baogang")].iloc[0]
    assert baotou["nearest_water_name"] == "Huang"  # the Yellow River
    assert baotou["distance_m"] == pytest.approx(11_800, abs=100)  # HYDROGEOLOGY.md 1.1
    assert 180 < baotou["bearing_deg"] < 270  # south-west of the pond


def test_same_seed_same_layer_other_seed_other_probabilities(layers, some_sites):
    first = screen_sites(layers, realizations=30, seed=4, sites=some_sites)
    again = screen_sites(layers, realizations=30, seed=4, sites=some_sites)
    other = screen_sites(layers, realizations=30, seed=5, sites=some_sites)
    pd.testing.assert_frame_equal(first, again)
    assert not first["p_reach_500yr"].equals(other["p_reach_500yr"])


def test_distance_and_bearing_to_a_hand_made_river(layers):
    """A site 4 km west of a north-south river (straight in UTM 49N): 4,000 m, due east."""
    northings = np.linspace(4_400_000, 4_600_000, 50)
    lon, lat = transform_xy(np.full(50, 504_000.0), northings, "EPSG:32649", "EPSG:4326")
    river = gpd.GeoDataFrame(
        {"name": ["Test"], "name_en": ["Test"], "scalerank": [1], "featurecla": ["River"]},
        geometry=[LineString(zip(lon, lat, strict=True))],
        crs=4326,
    )
    empty = river.iloc[:0]
    mine = transform_xy([500_000.0], [4_500_000.0], "EPSG:32649", "EPSG:4326")
    sites = gpd.GeoDataFrame(
        {"site_id": ["t"], "site_name": ["Test mine"], "dataset": ["test"]},
        geometry=[Point(mine[0][0], mine[1][0])],
        crs=4326,
    )
    only = replace(layers, rivers_10m=river, rivers_50m=empty, lakes_10m=empty, lakes_50m=empty)
    row = screen_sites(only, realizations=20, seed=0, sites=sites).iloc[0]
    assert row["nearest_water_name"] == "Test"
    assert row["nearest_water_kind"] == "river"
    assert row["nearest_water_layer"] == "rivers_10m"
    assert row["distance_m"] == pytest.approx(4000.0, abs=1.0)
    assert row["bearing_deg"] == pytest.approx(90.0, abs=0.1)
    assert row["utm_epsg"] == 32649


@pytest.mark.parametrize("realizations", [0, -5, 2.5, True])
def test_bad_realizations_are_errors(layers, realizations):
    with pytest.raises(AtlasError, match="realizations"):
        screen_sites(layers, realizations=realizations, seed=1)


def test_bad_seed_and_bad_priors_are_errors(layers):
    with pytest.raises(AtlasError, match="seed"):
        screen_sites(layers, realizations=10, seed=-1)
    with pytest.raises(AtlasError, match="low <= high"):
        replace(DEFAULT_PRIORS, source_width_m=Prior("uniform", 500.0, 100.0, "test"))
    with pytest.raises(AtlasError, match="loguniform"):
        replace(DEFAULT_PRIORS, hydraulic_gradient=Prior("loguniform", 0.0, 0.01, "test"))
    with pytest.raises(AtlasError, match="effective_porosity"):
        replace(DEFAULT_PRIORS, effective_porosity=Prior("uniform", 0.1, 1.5, "test"))
    with pytest.raises(AtlasError, match="no prior named"):
        DEFAULT_PRIORS.degenerate(velocity=3.0)


def test_every_default_prior_names_its_source():
    table = DEFAULT_PRIORS.table()
    assert isinstance(DEFAULT_PRIORS, ScreeningPriors)
    assert table["source"].str.len().min() > 40
    for source in table["source"]:
        assert "assumption" in source or "(19" in source or "(20" in source


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
def test_written_files_read_back_and_leave_nothing_else(layers, some_sites, tmp_path, suffix):
    layer = screen_sites(layers, realizations=10, seed=2, sites=some_sites.iloc[:20])
    path = write_screening(layer, tmp_path / f"screening{suffix}")
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    if suffix == ".csv":
        back = pd.read_csv(path)
        assert list(back.columns) == COLUMNS
    else:
        back = gpd.read_parquet(path) if suffix == ".parquet" else gpd.read_file(path)
        assert back.crs.to_epsg() == 4326
        assert back.geometry.geom_equals(layer.geometry).all()
    np.testing.assert_allclose(back["p_reach_500yr"], layer["p_reach_500yr"])


def test_unknown_suffix_or_missing_folder_writes_nothing(layers, some_sites, tmp_path):
    layer = screen_sites(layers, realizations=5, seed=2, sites=some_sites.iloc[:3])
    with pytest.raises(OutputError, match=r"\.csv, \.geojson, \.parquet"):
        write_screening(layer, tmp_path / "screening.txt")
    with pytest.raises(OutputError, match="does not exist"):
        write_screening(layer, tmp_path / "missing" / "screening.csv")
    assert list(tmp_path.iterdir()) == []


def test_command_line_screens_the_shipped_layers(tmp_path, capsys):
    out = tmp_path / "screening.csv"
    assert main(["screen", "--root", str(ROOT), "--realizations", "8", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "MODELLED" in printed
    assert "8 realizations" in printed
    table = pd.read_csv(out)
    assert len(table) > 2000  # every located USGS site and the curated sources
    assert table["site_id"].is_unique
    assert (table["realizations"] == 8).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--realizations", "0"], "--realizations '0': give a whole number >= 1"),
        (["--realizations", "many"], "--realizations 'many'"),
        (["--seed", "-3"], "--seed '-3': give a whole number >= 0"),
    ],
)
def test_command_line_bad_arguments_are_one_line(tmp_path, capsys, args, message):
    out = tmp_path / "screening.csv"
    assert main(["screen", "--root", str(ROOT), *args, "--out", str(out)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("atlas: error: ")
    assert message in lines[0]
    assert not out.exists()


def test_command_line_unknown_suffix_is_one_line(tmp_path, capsys):
    out = tmp_path / "screening.xlsx"
    assert main(["screen", "--root", str(ROOT), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("atlas: error: ")
    assert ".geojson" in err
    assert "\n" not in err
    assert list(tmp_path.iterdir()) == []
