"""``atlas plume`` on a scenario the reader refuses or warns about: one line each."""

from __future__ import annotations

import pytest

from atlas.cli import main

SMALL = """\
schema_version = 1
name = "cli"
crs = "EPSG:32649"
[grid]
bounds_m = [0, 0, 500, 200]
cell_size_m = 50
[aquifer]
effective_porosity = 0.25
thickness_m = 10
longitudinal_dispersivity_m = 20
transverse_dispersivity_m = 2
[flow]
velocity_m_per_yr = 50
direction_deg = 90
[[source]]
name = "pond"
geometry = "POINT (75 100)"
concentration_mg_per_l = 100
[[receptor]]
name = "well"
geometry = "POINT (425 100)"
thresholds_mg_per_l = [1]
[output]
times_yr = [1, 2]
"""


def _plume(tmp_path, capsys, data: bytes):
    path = tmp_path / "scenario.toml"
    path.write_bytes(data)
    status = main(["plume", str(path), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    return path, status, captured


def test_one_problem_is_one_line_naming_file_key_and_fix(tmp_path, capsys):
    text = SMALL.replace("direction_deg = 90\n", "")
    path, status, captured = _plume(tmp_path, capsys, text.encode())
    assert status == 1
    assert captured.err == f"atlas: error: {path}: flow.direction_deg: missing; add this key\n"
    assert not (tmp_path / "out").exists()


def test_several_problems_are_one_error_line_and_one_line_each(tmp_path, capsys):
    text = SMALL.replace("cell_size_m", "cell_size")
    path, status, captured = _plume(tmp_path, capsys, text.encode())
    assert status == 1
    assert captured.err.splitlines() == [
        f"atlas: error: {path}: invalid scenario (2 problems)",
        "    - grid.cell_size: unknown key; did you mean 'cell_size_m'?",
        "    - grid.cell_size_m: missing; add this key",
    ]


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_file_in_another_encoding_is_one_line(tmp_path, capsys, encoding, name):
    path, status, captured = _plume(tmp_path, capsys, SMALL.encode(encoding))
    assert status == 1
    (line,) = captured.err.splitlines()
    assert line.startswith(f"atlas: error: {path}: the file is {name} (little-endian) text")
    assert line.endswith("save it as UTF-8 (in most editors: Save As, encoding UTF-8)")


def test_a_key_with_a_line_separator_does_not_break_the_line(tmp_path, capsys):
    text = SMALL.replace("[grid]\n", '[grid]\n"cell\\u2028size" = 1\n')
    _, status, captured = _plume(tmp_path, capsys, text.encode())
    assert status == 1
    assert len(captured.err.splitlines()) == 1
    assert "grid.'cell\\u2028size': unknown key" in captured.err


def test_a_warning_is_one_line_and_the_run_goes_on(tmp_path, capsys):
    text = SMALL.replace("transverse_dispersivity_m = 2", "transverse_dispersivity_m = 200")
    path, status, captured = _plume(tmp_path, capsys, text.encode())
    assert status == 0, captured.err
    warning = [line for line in captured.err.splitlines() if line.startswith("atlas: warning:")]
    assert warning == [
        f"atlas: warning: {path}: aquifer.transverse_dispersivity_m (200 m) is larger than "
        "aquifer.longitudinal_dispersivity_m (20 m); accepted, but the transverse one is usually "
        "about a tenth of the longitudinal one: check that the two are not swapped"
    ]
    assert (tmp_path / "out" / "summary.json").is_file()
