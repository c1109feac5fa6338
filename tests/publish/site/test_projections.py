"""The site with plume projections: tables read from the summaries, outlines, downloads, reuse.

Every build runs on the shipped layers and small synthetic scenarios (a few hundred cells)
written into a temporary data root, so a projection takes a fraction of a second.
"""

from __future__ import annotations

import html as html_text
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import chromium_page, off_host, serve

import atlas.pipeline
from atlas.errors import OutputError, ScenarioError
from atlas.pipeline import build_site
from atlas.result import MODELLED_LABEL

REPO = Path(__file__).resolve().parents[3]

SCENARIO = """
schema_version = 1
name = "{name}"
description = "{description}"
crs = "EPSG:32649"
start_year = 2000
[grid]
bounds_m = [{x0}, 4496000, {x1}, 4497500]
cell_size_m = 100.0
[aquifer]
effective_porosity = 0.25
thickness_m = 10.0
hydraulic_conductivity_m_per_day = 5.0
longitudinal_dispersivity_m = 100.0
transverse_dispersivity_m = 10.0
[flow]
velocity_m_per_yr = {velocity}
direction_deg = 90.0
[[source]]
name = "pond"
geometry = "POLYGON (({s0} 4496500, {s1} 4496500, {s1} 4497000, {s0} 4497000, {s0} 4496500))"
concentration_mg_per_l = 1000.0
[[receptor]]
name = "river"
geometry = "LINESTRING ({r} 4496000, {r} 4497500)"
thresholds_mg_per_l = [10.0, 5000.0]
[output]
times_yr = [5, 10, 20]
arrival_resolution_yr = 0.5
[provenance]
"aquifer.effective_porosity" = "assumption: porosity for the <test> & co"
"flow" = "assumption: {velocity} m/yr east"
"description" = "the report that {name} stands for"
"""
"""A tiny uniform-flow scenario: 30 x 15 cells of 100 m near Baotou; 5000 mg/L is never
reached (the source holds 1000 mg/L)."""

XSS_DESCRIPTION = "a <b>tiny</b> & fast pair"


def _scenario(name: str, velocity: float, *, x0: int = 388000, description: str = "") -> str:
    return SCENARIO.format(
        name=name,
        description=description or f"{name} at {velocity:g} m/yr",
        x0=x0,
        x1=x0 + 3000,
        s0=x0 + 300,
        s1=x0 + 700,
        r=x0 + 2000,
        velocity=velocity,
    )


def _layers_root(root: Path) -> Path:
    """A new data root holding the shipped layers (linked) and nothing else."""
    root.mkdir(parents=True)
    (root / "layers").symlink_to(REPO / "layers", target_is_directory=True)
    return root


def _write_root(root: Path) -> Path:
    """A data root with the shipped layers and three tiny scenarios (two share a grid)."""
    scenarios = _layers_root(root) / "scenarios"
    scenarios.mkdir()
    (scenarios / "baotou.toml").write_text(_scenario("baotou", 150.0), encoding="utf-8")
    (scenarios / "baotou_fast_path.toml").write_text(
        _scenario("baotou_fast_path", 400.0, description=XSS_DESCRIPTION), encoding="utf-8"
    )
    (scenarios / "far_away.toml").write_text(
        _scenario("far_away", 300.0, x0=400000), encoding="utf-8"
    )
    return root


class _Tables(HTMLParser):
    """The tables of a page: caption, and rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"id": dict(attrs).get("id"), "caption": "", "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in {"td", "th"} and self.tables:
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data: str) -> None:
        for collector in (self._cell, self._caption):
            if collector is not None:
                collector.append(data)


def _tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _table_after(html: str, heading: str) -> dict:
    """The first table after the heading with this text."""
    start = html.index(f">{heading}</h3>")
    return _tables(html[start:])[0]


def _summary(site: Path, name: str) -> dict:
    return json.loads((site / "plumes" / name / "summary.json").read_text(encoding="utf-8"))


def _check_arrival(cell: str, arrival: dict) -> None:
    """The cell of a modelled arrival of the tiny scenarios (t = 0 in 2000, 20-year horizon)."""
    if arrival["arrival_yr"] is None:
        assert cell.startswith("not reached by 2020"), cell
        return
    shown = re.match(r"(\d{4}) \((\d+\.\d) yr after 2000\)", cell)
    assert shown is not None, cell
    assert float(shown[2]) == pytest.approx(arrival["arrival_yr"], abs=0.05)
    assert int(shown[1]) == 2000 + int(arrival["arrival_yr"])  # the calendar year it falls in


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The site of the tiny root (built once for the read-only tests) and its page."""
    root = _write_root(tmp_path_factory.mktemp("data") / "root")
    site = build_site(root, tmp_path_factory.mktemp("out") / "site").parent
    return site, (site / "index.html").read_text(encoding="utf-8")


def test_the_pair_is_side_by_side_with_arrival_years_read_from_the_summaries(built):
    site, html = built
    table = _table_after(html, "Baotou: two projections side by side")
    header, *rows = table["rows"]
    assert header == ["Quantity", "baotou", "baotou_fast_path"]
    assert "MODELLED" in html
    by_label = {row[0]: row[1:] for row in rows}
    reached = not_reached = 0
    for column, name in enumerate(("baotou", "baotou_fast_path")):
        summary = _summary(site, name)
        for arrival in summary["arrivals"]:
            label = f"Modelled arrival at river, ≥ {arrival['threshold_mg_per_l']:g} mg/L"
            cell = by_label[label][column]
            _check_arrival(cell, arrival)
            assert "modelled" in cell
            reached += arrival["arrival_yr"] is not None
            not_reached += arrival["arrival_yr"] is None
    assert (reached, not_reached) == (2, 2)
    for column, name in enumerate(("baotou", "baotou_fast_path")):
        claim = by_label["What it stands for"][column]
        assert f"Source: the report that {name} stands for" in claim
    porosity = by_label["Effective porosity n_e"][0]
    assert porosity.startswith("0.25")
    assert "Source: assumption: porosity for the <test> & co" in porosity
    # the faster flow arrives first
    fast = _summary(site, "baotou_fast_path")["arrivals"][0]["arrival_yr"]
    assert fast < _summary(site, "baotou")["arrivals"][0]["arrival_yr"]


def test_a_projection_on_another_grid_gets_its_own_table(built):
    _, html = built
    table = _table_after(html, "Far Away")
    assert table["rows"][0] == ["Quantity", "far_away"]
    assert "far_away" in table["caption"]


def test_every_projection_is_labelled_modelled_with_its_assumptions(built):
    site, html = built
    assert MODELLED_LABEL in html
    summaries = [_summary(site, name) for name in ("baotou", "baotou_fast_path", "far_away")]
    # the plume menu's heading and every arrival cell; the flow is given, nothing else is modelled
    arrival_cells = sum(len(summary["arrivals"]) for summary in summaries)
    assert html.count('class="modelled-tag"') == 1 + arrival_cells
    for summary in summaries:
        for line in summary["assumptions"]:
            assert html_text.escape(line, quote=False) in html, line


def test_scenario_text_is_escaped(built):
    _, html = built
    assert "<b>tiny</b>" not in html
    assert "&lt;b&gt;tiny&lt;/b&gt; &amp; fast pair" in html
    assert "<test>" not in html


def _plume_layers(html: str) -> dict[str, str]:
    """Scenario name -> the variable of its outline layer, from the layer control."""
    pattern = r'"[^"]*MODELLED plume: ([a-z_]+)" : (geo_json_\d+)'
    return dict(re.findall(pattern, html))


def test_each_scenario_has_an_outline_layer_and_only_the_pair_starts_on(built):
    site, html = built
    layers = _plume_layers(html)
    assert sorted(layers) == ["baotou", "baotou_fast_path", "far_away"]
    shown = {name for name, var in layers.items() if f"{var}.addTo(map_" in html}
    assert shown == {"baotou", "baotou_fast_path"}
    for name, var in layers.items():
        script = html.split(f"{var}_add(", 1)[1].split(");\n", 1)[0]
        features = json.loads(script)["features"]
        isochrones = json.loads((site / "plumes" / name / "isochrones.geojson").read_text())
        assert len(features) == len(isochrones["features"]) > 0
        assert all("atlas-plume" in f["properties"]["className"] for f in features)
        popup = features[0]["properties"]["popup"]
        assert "Modelled plume" in popup
        assert MODELLED_LABEL in popup
        assert "mg/L" in popup


def test_the_time_menu_offers_every_output_year(built):
    _, html = built
    menu = html.split('<select id="plume-time"', 1)[1].split("</select>", 1)[0]
    years = re.findall(r'<option value="atlas-plume-y(\d+)">(\d+)</option>', menu)
    assert [int(a) for a, _ in years] == [2005, 2010, 2020]
    assert all(a == b for a, b in years)


def test_downloads_are_linked_and_hold_the_projection_bytes(built, tmp_path):
    site, html = built
    links = re.findall(r'href="(plumes/[^"]+)"', html)
    assert len(links) == 3 * (3 + 3)  # nc, geojson, json and 3 GeoTIFFs per scenario
    for link in links:
        assert (site / link).is_file(), link
    for name in ("baotou", "baotou_fast_path", "far_away"):
        listed = _summary(site, name)["files"]
        assert sorted(p.name for p in (site / "plumes" / name).iterdir()) == sorted(listed)


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
    root = _write_root(tmp_path / "root")
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
    scenario.write_text(_scenario("baotou", 250.0), encoding="utf-8")
    build_site(root, tmp_path / "site")
    assert calls == ["baotou"]
    after = _files(tmp_path / "site")
    assert after["plumes/baotou/summary.json"] != before["plumes/baotou/summary.json"]
    assert after["plumes/far_away/concentration.nc"] == before["plumes/far_away/concentration.nc"]


def test_a_foreign_out_folder_is_refused_before_anything_is_projected(tmp_path, monkeypatch):
    root = _write_root(tmp_path / "root")
    calls = _spy_on_runs(monkeypatch)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not an earlier site"):
        build_site(root, tmp_path / "home")
    assert calls == []
    assert not (root / ".cache").exists()
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["thesis.tex"]


def test_two_builds_from_scratch_give_identical_bytes_including_netcdf(tmp_path):
    root = _write_root(tmp_path / "root")
    sites = [
        build_site(root, tmp_path / out, cache_dir=tmp_path / f"cache_{out}").parent
        for out in ("a", "b")
    ]
    first, second = (_files(site) for site in sites)
    assert first.keys() == second.keys()
    assert "plumes/baotou/concentration.nc" in first
    assert [name for name in first if first[name] != second[name]] == []
    assert not (root / ".cache").exists()  # the cache went where it was told


def test_a_root_without_scenarios_builds_only_the_map(tmp_path):
    root = _layers_root(tmp_path / "root")
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
    root = _layers_root(tmp_path / "root")
    (root / "scenarios").mkdir()
    for file_name, name in files.items():
        (root / "scenarios" / file_name).write_text(_scenario(name, 100.0), encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(message)):
        build_site(root, tmp_path / "site", cache_dir=tmp_path / "cache")
    assert not (tmp_path / "site").exists()
    assert not (tmp_path / "cache").exists()


@pytest.mark.browser
def test_the_time_menu_keeps_the_outlines_of_one_year_in_the_browser(built):
    """In Chromium: the pair's outlines are drawn, the menu hides other years, a popup says
    modelled; nothing is fetched from another host and no script fails."""
    site, _ = built
    with serve(site) as base_url, chromium_page(f"{base_url}/index.html") as tab:
        outlines = tab.locator(".leaflet-container path.atlas-plume")
        shown = "els => els.filter(e => getComputedStyle(e).display !== 'none').length"
        drawn = outlines.count()
        assert drawn > 0
        assert tab.eval_on_selector_all(".leaflet-container path.atlas-plume", shown) == drawn
        tab.select_option("#plume-time", label="2010")
        in_2010 = tab.locator(".leaflet-container path.atlas-plume-y2010").count()
        assert 0 < in_2010 < drawn
        assert tab.eval_on_selector_all(".leaflet-container path.atlas-plume", shown) == in_2010
        tab.select_option("#plume-time", index=0)
        assert tab.eval_on_selector_all(".leaflet-container path.atlas-plume", shown) == drawn
        outlines.last.dispatch_event("click")
        popup = tab.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "MODELLED, not measured" in popup.inner_text()
    assert tab.requests
    assert off_host(tab.requests, base_url) == []
    assert tab.errors == []
