"""The build on one screen: results reused by their inputs' hash, a cached build equal to a
fresh one, refusals before any work, and one scenario run from a file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import atlas.pipeline
from atlas.errors import OutputError, ScenarioError
from atlas.pipeline import build_site
from atlas.scenario.collection import load_scenarios
from atlas.tasks import run_file
from tiny_roots import layers_root, tiny_scenario, write_root

pytestmark = pytest.mark.slow


def _spy_on_runs(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = atlas.pipeline.run_scenario

    def spy(scenario, **kwargs):
        calls.append(scenario.name)
        return real(scenario, **kwargs)

    monkeypatch.setattr(atlas.pipeline, "run_scenario", spy)
    return calls


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_unchanged_scenarios_are_reused_and_a_changed_one_is_projected_again(tmp_path, monkeypatch):
    root = write_root(tmp_path / "root")
    calls = _spy_on_runs(monkeypatch)
    reports: list[tuple[str, float]] = []
    progress = lambda name, fraction: reports.append((name, fraction))  # noqa: E731
    first = build_site(root, tmp_path / "site", progress=progress).parent
    assert sorted(calls) == ["baotou", "baotou_fast_path", "far_away"]
    assert {name for name, _ in reports} == set(calls)
    assert all(0.0 <= fraction <= 1.0 for _, fraction in reports)
    assert (root / ".cache" / "plumes" / "baotou" / "summary.json").is_file()
    before = _files(first)

    calls.clear()
    build_site(root, tmp_path / "site")
    assert calls == []
    assert _files(tmp_path / "site") == before

    scenario = root / "scenarios" / "baotou.toml"
    scenario.write_text(tiny_scenario("baotou", 250.0), encoding="utf-8")
    build_site(root, tmp_path / "site")
    assert calls == ["baotou"]
    after = _files(tmp_path / "site")
    assert after["plumes/baotou/summary.json"] != before["plumes/baotou/summary.json"]
    assert after["plumes/far_away/concentration.nc"] == before["plumes/far_away/concentration.nc"]


def test_a_foreign_out_folder_is_refused_before_anything_is_projected(tmp_path, monkeypatch):
    root = write_root(tmp_path / "root")
    calls = _spy_on_runs(monkeypatch)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not an earlier site"):
        build_site(root, tmp_path / "home")
    assert calls == []
    assert not (root / ".cache").exists()
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["thesis.tex"]


def test_two_builds_from_scratch_give_identical_bytes_including_netcdf(
    tiny_root, built_site, tmp_path
):
    """The session's build of the tiny root (its cache in the root) and one here with a cache
    of its own, so that neither reuses the other's results."""
    cache = tmp_path / "cache"
    site = build_site(tiny_root, tmp_path / "site", cache_dir=cache).parent
    first, second = _files(built_site), _files(site)
    assert first.keys() == second.keys()
    assert "plumes/baotou/concentration.nc" in first
    assert "downloads/atlas.gpkg" in first  # built with the site, so its links hold
    assert b'href="../../downloads/atlas.gpkg"' in first["sites/mount-weld/index.html"]
    assert [name for name in first if first[name] != second[name]] == []
    assert (cache / "baotou" / "summary.json").is_file()  # the cache went where it was told


def test_a_root_without_scenarios_builds_only_the_map(tmp_path):
    root = layers_root(tmp_path / "root")
    site = build_site(root, tmp_path / "site").parent
    html = (site / "index.html").read_text(encoding="utf-8")
    assert not (site / "plumes").exists()
    assert 'id="projections"' not in html
    assert "MODELLED plume" not in html


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.toml": "same", "b.toml": "same"}, "is also used by another scenario"),
        ({"a.toml": "../escape"}, "it names a folder"),
    ],
)
def test_scenario_names_must_be_unique_folder_names(tmp_path, files, message):
    root = layers_root(tmp_path / "root")
    (root / "scenarios").mkdir()
    for file_name, name in files.items():
        (root / "scenarios" / file_name).write_text(tiny_scenario(name, 100.0), encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(message)):
        build_site(root, tmp_path / "site", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "site").exists()
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(("title_a", "title_b"), [("Same", "Same"), ("", "a")])
def test_two_scenarios_pages_would_show_alike_are_refused(tmp_path, title_a, title_b):
    """Two titles alike, or a title that is another scenario's name (its title when it has
    none): the pages, the layer control and the side-by-side columns tell them apart by it."""
    root = layers_root(tmp_path / "root")
    (root / "scenarios").mkdir()
    for name, title in (("a", title_a), ("b", title_b)):
        text = tiny_scenario(name, 100.0, title=title)
        (root / "scenarios" / f"{name}.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(root)
    assert f"pages would show it as {title_b!r}, as another scenario" in str(caught.value)
    assert "give each scenario a title of its own" in str(caught.value)


def test_a_scenario_file_runs_and_writes_only_when_asked(tmp_path):
    root = write_root(tmp_path / "root")
    scenario = root / "scenarios" / "baotou.toml"
    result = run_file(scenario, None, root=root)
    assert result.name == "baotou"
    assert result.arrivals["receptor"].tolist() == ["river", "river"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root"]
    out = tmp_path / "out"
    written = run_file(scenario, out, root=root)
    assert (out / "summary.json").is_file()
    assert written.inputs_sha256 == result.inputs_sha256


def test_joined_layers_carry_the_nearest_river_of_each_site():
    layers = atlas.pipeline.joined_layers(Path(__file__).resolve().parents[1])
    pond = layers.sites.set_index("name").loc["Baogang (Baotou / Weikuang) tailings dam"]
    assert pond["nearest_river_name"] == "Huang"
