"""The site with plume results: side-by-side tables with sources on the scenario pages, the
index's outlines and links to those pages, downloads.

The site is built once from the shipped layers and tiny scenarios (:mod:`tiny_roots`).
"""

from __future__ import annotations

import html as html_text
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import chromium_page, off_host, serve

from atlas.result import MODELLED_LABEL

pytestmark = pytest.mark.slow


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
def built(built_site) -> tuple[Path, str]:
    """The site of the tiny root (built once, ``conftest.built_site``) and its page."""
    return built_site, (built_site / "index.html").read_text(encoding="utf-8")


def _scenario_page(site: Path, slug: str) -> str:
    return (site / "scenarios" / slug / "index.html").read_text(encoding="utf-8")


def test_the_pair_is_side_by_side_with_arrival_years_read_from_the_summaries(built):
    site, _ = built
    html = _scenario_page(site, "baotou")
    assert "Claim check: Baotou: two projections side by side" in html
    table = _table_after(html, "Side by side, with every source")
    header, *rows = table["rows"]
    assert header == ["Quantity", "Tiny Baotou", "baotou_fast_path"]  # a title, else the name
    assert "<h1>Modelled plume: Tiny Baotou</h1>" in html
    assert "MODELLED" in html
    by_label = {row[0]: row[1:] for row in rows}
    reached = not_reached = 0
    for column, name in enumerate(("baotou", "baotou_fast_path")):
        summary = _summary(site, name)
        for arrival in summary["arrivals"]:
            label = f"Modelled arrival at Test River, ≥ {arrival['threshold_mg_per_l']:g} mg/L"
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


def test_a_projection_on_another_grid_stands_alone_with_its_facts(built):
    site, _ = built
    html = _scenario_page(site, "far-away")
    assert "Side by side" not in html
    assert "Parameters and their sources" in html
    assert "Source: the report that far_away stands for" in html


def test_every_projection_is_labelled_modelled_with_its_assumptions(built):
    site, html = built
    assert MODELLED_LABEL in html
    for name, slug in (("baotou", "baotou"), ("baotou_fast_path", "baotou-fast-path")):
        page = _scenario_page(site, slug)
        assert MODELLED_LABEL in page
        # every arrival cell of the pair's table is tagged modelled
        arrivals = sum(len(_summary(site, n)["arrivals"]) for n in ("baotou", "baotou_fast_path"))
        table = page.split('id="facts-table"', 1)[1].split("</table>", 1)[0]
        assert table.count('class="modelled-tag"') == arrivals
        for line in _summary(site, name)["assumptions"]:
            assert html_text.escape(line, quote=False) in page, line


def test_the_index_links_each_scenario_page_instead_of_its_tables(built):
    site, html = built
    assert 'id="projection-table-' not in html
    for slug in ("baotou", "baotou-fast-path", "far-away"):
        assert f'href="scenarios/{slug}/index.html"' in html
        assert (site / "scenarios" / slug / "index.html").is_file()


def test_scenario_text_is_escaped(built):
    site, html = built
    for page in (html, _scenario_page(site, "baotou")):
        assert "<b>tiny</b>" not in page
        assert "&lt;b&gt;tiny&lt;/b&gt; &amp; fast pair" in page
        assert "<test>" not in page


def _plume_layers(html: str) -> dict[str, str]:
    """Scenario name -> the variable of its outline layer, from the layer control, which names
    a layer by its scenario's title (the tiny baotou has one)."""
    pattern = r'"[^"]*MODELLED plume: ([A-Za-z_ ]+)" : (geo_json_\d+)'
    names = {"Tiny Baotou": "baotou"}
    return {names.get(title, title): var for title, var in re.findall(pattern, html)}


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
    assert [int(a) for a, _ in years] == [2002, 2005, 2010, 2020]
    assert all(a == b for a, b in years)


def test_downloads_are_linked_and_hold_the_projection_bytes(built, tmp_path):
    site, _ = built
    links = [
        link
        for slug in ("baotou", "baotou-fast-path", "far-away")
        for link in re.findall(r'href="\.\./\.\./(plumes/[^"]+)"', _scenario_page(site, slug))
    ]
    # nc, geojson, json, 4 GeoTIFFs, 4 quicklook maps and the receptor chart per scenario
    assert len(links) == 3 * (3 + 4 + 5)
    for link in links:
        assert (site / link).is_file(), link
    for name in ("baotou", "baotou_fast_path", "far_away"):
        listed = _summary(site, name)["files"]
        assert sorted(p.name for p in (site / "plumes" / name).iterdir()) == sorted(listed)


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
