"""``atlas export``: the GeoPackage and the file formats through the real console script, and
its mistakes as one ``atlas: error:`` line (or a usage error) that names the fix."""

from __future__ import annotations

import sys
from pathlib import Path

import pyogrio
import pytest

from test_cli import run_atlas

sys.path.insert(0, str(Path(__file__).parent / "publish" / "outputs"))
from export_root import write_root


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_root(tmp_path_factory.mktemp("cli") / "root")


def test_export_gpkg_with_chosen_scenarios(root, tmp_path):
    target = tmp_path / "out" / "atlas.gpkg"
    result = run_atlas("export", "--root", str(root), "--gpkg", str(target),
                       "--scenario", "far-away")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"wrote {target}"
    receptors = pyogrio.read_dataframe(target, layer="plume_receptors_lines")
    assert list(receptors["scenario"]) == ["far-away"]


def test_export_format_writes_a_folder(root, tmp_path):
    result = run_atlas("export", "--root", str(root), "--format", "csv", str(tmp_path / "csv"),
                       "--scenario", "baotou")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "csv" / "plume_isochrones.csv").is_file()


def test_an_unknown_scenario_is_one_line_naming_the_known_ones(root, tmp_path):
    target = tmp_path / "atlas.gpkg"
    result = run_atlas("export", "--root", str(root), "--gpkg", str(target), "--scenario", "nope")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("atlas: error: ")
    assert "'nope'" in line
    assert "baotou, far-away" in line
    assert not target.exists()


def test_an_unwritable_path_is_one_line_naming_the_fix(root, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    result = run_atlas("export", "--root", str(root), "--gpkg", str(blocker / "atlas.gpkg"),
                       "--scenario", "baotou")  # fmt: skip
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("atlas: error: ")
    assert "choose a writable folder" in line


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--gpkg", "a.gpkg", "--format", "csv", "out"],
        ["--format", "csv"],
        ["--gpkg", "a.gpkg", "out"],
        ["--format", "shapefile", "out"],
    ],
)
def test_usage_mistakes_are_usage_errors(root, args):
    result = run_atlas("export", "--root", str(root), *args)
    assert result.returncode == 2
    assert "usage: atlas export" in result.stderr
