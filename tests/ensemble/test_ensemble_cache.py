"""The ensembles of a data root's scenarios with [uncertainty]: run once, then read from
``<root>/.cache/ensembles`` while the inputs are unchanged, and exported."""

from __future__ import annotations

from atlas.pipeline import ENSEMBLE_CACHE
from atlas.publish.outputs.ensemble import ENSEMBLE_SUMMARY
from atlas.tasks import export_contents_of
from tiny_roots import layers_root, tiny_scenario

UNCERTAINTY = """
[uncertainty]
realizations = 16
seed = 3
velocity_m_per_yr = {uniform = [100, 200]}
"""


def test_an_uncertain_scenario_is_run_once_and_exported(tmp_path):
    root = layers_root(tmp_path / "root")
    (root / "scenarios").mkdir()
    text = tiny_scenario("uncertain", 150.0) + UNCERTAINTY
    (root / "scenarios" / "uncertain.toml").write_text(text, encoding="utf-8")
    (root / "scenarios" / "certain.toml").write_text(tiny_scenario("certain", 150.0), "utf-8")
    reports = []
    contents = export_contents_of(root, screening=False, progress=lambda *a: reports.append(a))
    summary = root / ENSEMBLE_CACHE / "uncertain" / ENSEMBLE_SUMMARY
    assert summary.is_file()
    assert not (root / ENSEMBLE_CACHE / "certain").exists()
    names = contents.names()
    assert "plume_probability_isochrones" in names
    assert any(name.startswith("uncertain_exceedance_probability_10mg_per_l") for name in names)
    assert not any(name.startswith("certain_exceedance") for name in names)
    stamp = summary.stat().st_mtime_ns
    reports.clear()
    again = export_contents_of(root, screening=False, progress=lambda *a: reports.append(a))
    assert summary.stat().st_mtime_ns == stamp  # read, not run again
    assert ("uncertain", 1.0) in reports
    assert again.names() == names
    (root / "scenarios" / "uncertain.toml").write_text(text.replace("seed = 3", "seed = 4"))
    export_contents_of(root, screening=False)
    assert summary.stat().st_mtime_ns != stamp  # other inputs: run again
