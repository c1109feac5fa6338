"""The command line, driven through its real entry point."""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from scipy.optimize import brentq

from atlas.cli import main, make_parser
from atlas.plume import ogata_banks

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def run_atlas(*args, cwd=None, env=None):
    """Run the installed ``atlas`` console script, as a user would."""
    exe = Path(sys.executable).with_name("atlas")
    return subprocess.run(
        [str(exe), *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def _subcommands():
    parser = make_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    return sorted(sub.choices)


def test_help_lists_every_command():
    result = run_atlas("--help")
    assert result.returncode == 0
    for name in _subcommands():
        assert name in result.stdout


@pytest.mark.parametrize("command", _subcommands())
def test_every_command_has_help_and_is_documented_in_the_readme(command):
    result = run_atlas(command, "--help")
    assert result.returncode == 0
    assert "usage: atlas" in result.stdout
    assert f"atlas {command}" in README.read_text(encoding="utf-8")


def test_missing_data_root_is_one_clear_line(tmp_path):
    result = run_atlas("sites", cwd=tmp_path, env={"ATLAS_ROOT": ""})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("atlas: error: ")
    assert "--root" in result.stderr
    assert "ATLAS_ROOT" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(tmp_path):
    result = run_atlas("--debug", "sites", "--root", str(tmp_path / "nowhere"))
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_sites_csv_keeps_coordinates_and_gives_distances_in_metres():
    result = run_atlas("sites", "--format", "csv", "--root", str(ROOT))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout))
    assert len(table) == 35
    pond = table[table["name"].str.startswith("Baogang")].iloc[0]
    assert pond["lat"] == pytest.approx(40.637861)
    assert pond["lon"] == pytest.approx(109.687972)
    assert pond["nearest_river_name"] == "Huang"
    assert 10_000 <= pond["nearest_river_distance_m"] <= 12_000
    assert pond["source"].startswith("Wikipedia")


def test_sites_json_is_valid_and_uses_null_for_unknowns():
    result = run_atlas("sites", "--format", "json", "--root", str(ROOT))
    records = json.loads(result.stdout)
    unlocated = [r for r in records if r["lon"] is None]
    assert unlocated, "the curated table keeps sites without a verified coordinate"
    assert all(r["nearest_river_distance_m"] is None for r in unlocated)


def test_sites_table_names_where_its_numbers_come_from():
    result = run_atlas("sites", cwd=ROOT, env={"ATLAS_ROOT": ""})
    assert result.returncode == 0, result.stderr
    assert "UTM zone" in result.stdout
    assert "Huang" in result.stdout


def _root_without_ensembles(tmp_path: Path) -> Path:
    """The shipped data root but for the scenarios with an [uncertainty] table, whose
    1000-realization ensembles a build runs (minutes; builds with ensembles are tested on
    tiny roots, tests/ensemble/test_ensemble_cache.py and the page tests)."""
    root = tmp_path / "root"
    (root / "scenarios").mkdir(parents=True)
    for name in ("layers", "rasters"):
        (root / name).symlink_to(ROOT / name, target_is_directory=True)
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        if "[uncertainty]" not in text:
            (root / "scenarios" / path.name).write_text(text, encoding="utf-8")
    return root


def test_build_of_the_shipped_data_writes_every_page_and_export(tmp_path):
    """The shipped layers and scenarios, built through the command line. That two builds give
    the same bytes, from scratch or from the cache, is tested on the tiny root
    (``tests/test_pipeline.py``), at a fraction of the time."""
    root = _root_without_ensembles(tmp_path)
    names = sorted(p.stem for p in (root / "scenarios").glob("*.toml"))
    assert len(names) >= 3
    result = run_atlas("build", "--root", str(root), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    assert (site / "downloads" / "atlas.gpkg").stat().st_size > 0
    pages = sorted(p.name for p in (site / "scenarios").iterdir() if p.is_dir())
    assert pages == sorted(name.replace("_", "-") for name in names)
    for name in names:
        page = site / "scenarios" / name.replace("_", "-")
        assert (page / "index.html").is_file(), name
        assert (page / "embed.html").is_file(), name
        assert (site / "plumes" / name / "concentration.nc").stat().st_size > 0, name


def test_build_reports_a_malformed_layer_and_writes_nothing(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(ROOT / "layers", root / "layers")
    sites = root / "layers" / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8").replace("40.637861", "123"), "utf-8")
    result = run_atlas("build", "--root", str(root), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "sites.csv" in result.stderr
    assert "lat" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


TINY_SCENARIO = """
schema_version = 1
name = "tiny"
crs = "EPSG:32649"
start_year = 2000
[grid]
bounds_m = [0, 0, 2000, 1000]
cell_size_m = 20.0
[aquifer]
effective_porosity = 0.25
thickness_m = 10.0
longitudinal_dispersivity_m = 20.0
transverse_dispersivity_m = 2.0
[flow]
velocity_m_per_yr = 100.0
direction_deg = 90.0
[[source]]
name = "pond"
geometry = "POLYGON ((100 400, 300 400, 300 600, 100 600, 100 400))"
concentration_mg_per_l = 1000.0
[[receptor]]
name = "river"
geometry = "LINESTRING (1500 0, 1500 1000)"
thresholds_mg_per_l = [10.0, 5000.0]
[output]
times_yr = [5, 20]
[provenance]
"aquifer.effective_porosity" = "assumption for the test"
"""


@pytest.fixture(scope="module")
def tiny_plume(tmp_path_factory):
    """The tiny scenario's folder after one ``atlas plume --out`` run, and that run's result."""
    folder = tmp_path_factory.mktemp("plume")
    (folder / "tiny.toml").write_text(TINY_SCENARIO, encoding="utf-8")
    result = run_atlas("plume", str(folder / "tiny.toml"), "--out", str(folder / "out"))
    assert result.returncode == 0, result.stderr
    return folder, result


def test_plume_writes_outputs_and_prints_arrivals(tiny_plume):
    folder, result = tiny_plume
    summary = json.loads((folder / "out" / "summary.json").read_text(encoding="utf-8"))
    (reached,) = [a for a in summary["arrivals"] if a["threshold_mg_per_l"] == 10.0]
    # 1.2 km from the source's edge at 100 m/yr with D = 20 m x 100 m/yr: the 1 % front of the
    # 1-D Ogata-Banks solution; the 200 m wide source spreads sideways, so it arrives a bit later.
    expected_yr = brentq(lambda t: ogata_banks(1200.0, t, 100.0, 2000.0) - 0.01, 1.0, 20.0)
    assert expected_yr <= reached["arrival_yr"] <= 1.05 * expected_yr
    assert f"{reached['arrival_yr']:.1f}" in result.stdout
    assert str(2000 + int(reached["arrival_yr"])) in result.stdout
    assert "not reached" in result.stdout  # 5000 mg/L exceeds the source
    assert "MODELLED" in result.stdout
    assert result.stdout.splitlines()[0] == "tiny"  # no description: the name alone
    names = {p.name for p in (folder / "out").iterdir()}
    assert {"concentration.nc", "isochrones.geojson", "summary.json"} <= names
    assert sum(name.endswith(".tif") for name in names) == 2


def test_plume_without_out_prints_the_same_arrivals_and_writes_nothing(tiny_plume, tmp_path):
    _, written = tiny_plume
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO, encoding="utf-8")
    printed = run_atlas("plume", str(scenario), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]
    assert "no --out given, nothing written" in printed.stdout
    table = written.stdout.splitlines()[2:]
    assert table
    assert printed.stdout.splitlines()[2:] == table


def test_bad_scenario_lists_every_problem_and_writes_nothing(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text(
        TINY_SCENARIO.replace("effective_porosity = 0.25", "effective_porosity = 1.4").replace(
            "longitudinal_dispersivity_m = 20.0", "longitudinal_dispersivity_m = -5.0"
        ),
        encoding="utf-8",
    )
    result = run_atlas("plume", str(scenario), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "bad.toml" in result.stderr
    assert "aquifer.effective_porosity" in result.stderr
    assert "aquifer.longitudinal_dispersivity_m" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_scenario_without_source_runs_flow_only_and_says_so(tmp_path):
    start = TINY_SCENARIO.index("[[source]]")
    end = TINY_SCENARIO.index("[[receptor]]")
    scenario = tmp_path / "flow.toml"
    scenario.write_text(TINY_SCENARIO[:start] + TINY_SCENARIO[end:], encoding="utf-8")
    result = run_atlas("plume", str(scenario), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "flow only" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "flow.nc",
        "isochrones.geojson",
        "summary.json",
    ]


def test_a_plume_without_receptor_says_there_is_no_arrival_time(tmp_path):
    start = TINY_SCENARIO.index("[[receptor]]")
    end = TINY_SCENARIO.index("[output]")
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO[:start] + TINY_SCENARIO[end:], encoding="utf-8")
    result = run_atlas("plume", str(scenario))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2:] == [
        "no [[receptor]], so no arrival times: add one to time the plume's arrival there"
    ]
