"""write_ensemble and `atlas ensemble`: the files, their labels and provenance, atomic writes,
a scheduler that cannot be reached, and a bad [uncertainty] that writes nothing."""

from __future__ import annotations

import io
import json
import shutil
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import xarray as xr

from atlas.cli import main
from atlas.errors import OutputError
from atlas.publish.outputs.ensemble import ENSEMBLE_SUMMARY, read_ensemble, write_ensemble
from atlas.result import MODELLED_LABEL
from ensemble_cases import strip_ensemble, to_toml
from plume_cases import strip_scenario


@pytest.fixture(scope="module")
def written(velocity_ensemble, tmp_path_factory):
    _, result = velocity_ensemble
    out = tmp_path_factory.mktemp("ensemble") / "out"
    return result, out, write_ensemble(result, out)


def test_the_files_are_written(written):
    _, out, files = written
    assert [f.name for f in files] == [
        "ensemble.nc",
        ENSEMBLE_SUMMARY,
        "probability_isochrones.geojson",
        "quicklook_arrival_probability.png",
        "realizations.csv",
        "realizations.parquet",
    ]
    assert sorted(p.name for p in out.iterdir()) == [f.name for f in files]


def test_the_netcdf_is_cf_labelled_and_carries_the_priors(written):
    result, out, _ = written
    with xr.open_dataset(out / "ensemble.nc", decode_coords="all") as stored:
        assert stored.attrs["Conventions"] == "CF-1.8"
        assert stored.rio.crs.to_epsg() == 32649
        assert "velocity_m_per_yr: uniform [20, 40]" in stored.attrs["priors"]
        for name in ("exceedance_probability", "concentration_quantile", "arrival_quantile_yr"):
            assert stored[name].attrs["modelled"] == MODELLED_LABEL
        assert stored["exceedance_probability"].dims == ("threshold_mg_per_l", "time_yr", "y", "x")
        xr.testing.assert_allclose(
            stored["exceedance_probability"], result.dataset["exceedance_probability"]
        )


def test_the_probability_isochrones_are_written_as_geojson(written):
    result, out, _ = written
    stored = gpd.read_file(out / "probability_isochrones.geojson")
    assert stored.crs.to_epsg() == 4326
    assert len(stored) == len(result.isochrones) > 0
    for column in ("threshold_mg_per_l", "probability", "time_yr", "area_m2"):
        assert stored[column].tolist() == result.isochrones[column].tolist()


def test_the_realization_table_round_trips_through_parquet_and_csv(written):
    result, out, _ = written
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "realizations.parquet"), result.realizations
    )
    pd.testing.assert_frame_equal(pd.read_csv(out / "realizations.csv"), result.realizations)


def test_an_ensemble_read_back_is_the_one_written_and_rewrites_to_the_same_bytes(written, tmp_path):
    result, out, files = written
    back = read_ensemble(out, result.scenario)
    assert back is not None
    for name in ("exceedance_probability", "concentration_quantile", "arrival_quantile_yr"):
        xr.testing.assert_allclose(back.dataset[name], result.dataset[name], rtol=1e-6)
    pd.testing.assert_frame_equal(back.realizations, result.realizations)
    assert (back.seed, back.kept, back.assumptions) == (
        result.seed,
        result.kept,
        result.assumptions,
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.isochrones.drop(columns="geometry")),
        pd.DataFrame(result.isochrones.drop(columns="geometry")),
    )
    again = write_ensemble(back, tmp_path / "again")
    for first, second in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_a_folder_of_other_inputs_or_damaged_is_not_read(written, tmp_path):
    result, out, _ = written
    other = strip_ensemble(
        {"realizations": 100, "seed": 12, "velocity_m_per_yr": {"uniform": [20, 40]}},
        output={"times_yr": [5, 10, 20, 30], "arrival_resolution_yr": 0.25},
    )
    assert read_ensemble(out, other) is None
    damaged = tmp_path / "damaged"
    shutil.copytree(out, damaged)
    (damaged / "realizations.parquet").write_bytes(b"not parquet")
    assert read_ensemble(damaged, result.scenario) is None
    assert read_ensemble(tmp_path / "missing", result.scenario) is None


def test_the_summary_says_how_sure_with_the_priors_provenance(written):
    _, out, _ = written
    summary = json.loads((out / ENSEMBLE_SUMMARY).read_text(encoding="utf-8"))
    assert summary["modelled"] == MODELLED_LABEL
    assert summary["realizations"] == summary["kept"] == 100
    assert summary["priors"][0]["key"] == "velocity_m_per_yr"
    assert summary["priors"][0]["provenance"] == "not documented"
    first = summary["arrivals"][0]
    assert set(first["arrival_yr"]) == {"P5", "P25", "P50", "P75", "P95"}
    assert first["sentence"].startswith("In ")
    assert "modelled realizations" in first["sentence"]


def test_a_foreign_folder_is_never_replaced(velocity_ensemble, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError):
        write_ensemble(velocity_ensemble[1], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


def scenario_file(folder: Path, **uncertainty) -> Path:
    document = strip_scenario()
    document["uncertainty"] = {"realizations": 6, "seed": 1, **uncertainty}
    path = folder / "strip.toml"
    path.write_text(to_toml(document), encoding="utf-8")
    return path


def test_the_cli_runs_on_the_scheduler_named_by_the_environment(client, tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", client.scheduler.address)
    path = scenario_file(tmp_path, velocity_m_per_yr={"uniform": [20, 30]})
    status, stdout, stderr = run_cli(
        "ensemble", str(path), "--out", str(tmp_path / "out"), "--realizations", "8"
    )
    assert (status, stderr) == (0, "")
    assert "strip: 8 realizations (seed 1), 8 kept" in stdout
    assert "line >= 10 mg/L: arrival yr P5=" in stdout
    assert len(pd.read_csv(tmp_path / "out" / "realizations.csv")) == 8


def test_an_ensemble_without_receptor_says_there_is_no_arrival_time(client, tmp_path):
    document = strip_scenario()
    del document["receptor"]
    document["uncertainty"] = {
        "realizations": 4,
        "seed": 1,
        "velocity_m_per_yr": {"uniform": [20, 30]},
    }
    path = tmp_path / "strip.toml"
    path.write_text(to_toml(document), encoding="utf-8")
    status, stdout, stderr = run_cli(
        "ensemble",
        str(path),
        "--out",
        str(tmp_path / "out"),
        "--scheduler",
        client.scheduler.address,
    )
    assert (status, stderr) == (0, "")
    assert stdout.splitlines()[2:] == [
        "no [[receptor]], so no arrival times: add one to time the plume's arrival there"
    ]
    assert (tmp_path / "out" / "ensemble.nc").is_file()


def test_an_unreachable_scheduler_fails_in_seconds_with_one_line(tmp_path):
    path = scenario_file(tmp_path, velocity_m_per_yr={"uniform": [20, 30]})
    start = time.monotonic()
    status, stdout, stderr = run_cli(
        "ensemble", str(path), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"
    )
    assert time.monotonic() - start < 15
    assert (status, stdout) == (1, "")
    assert stderr.startswith("atlas: error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert len(stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_bad_uncertainty_names_file_and_key_and_writes_nothing(tmp_path):
    path = scenario_file(
        tmp_path, velocity_m_per_yr={"uniform": [30, 20]}, effective_porosity={"uniform": [-1, 1]}
    )
    status, stdout, stderr = run_cli("ensemble", str(path), "--out", str(tmp_path / "out"))
    assert (status, stdout) == (1, "")
    lines = stderr.splitlines()
    assert lines[0] == f"atlas: error: {path}: invalid scenario (2 problems)"
    assert "uncertainty.velocity_m_per_yr.uniform: lower > upper" in lines[1]
    assert "uncertainty.effective_porosity: uniform [-1, 1] reaches outside (0, 1]" in lines[2]
    assert not (tmp_path / "out").exists()


def test_a_scenario_without_uncertainty_is_refused(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text(to_toml(strip_scenario()), encoding="utf-8")
    status, _, stderr = run_cli("ensemble", str(path), "--out", str(tmp_path / "out"))
    assert status == 1
    assert "no [uncertainty] section" in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("address", ["notanaddress", "tcp://localhost"])
def test_a_malformed_scheduler_address_is_refused_at_once(tmp_path, address):
    path = scenario_file(tmp_path, velocity_m_per_yr={"uniform": [20, 30]})
    start = time.monotonic()
    status, _, stderr = run_cli("ensemble", str(path), "--scheduler", address)
    assert time.monotonic() - start < 3
    assert status == 1
    assert stderr.startswith(f"atlas: error: the Dask scheduler address {address!r} is not")
    assert len(stderr.splitlines()) == 1
