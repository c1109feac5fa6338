"""The built page in headless Chromium: it renders, stays on its own host, shows data as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import chromium_page, launched, off_host, serve, visit
from playwright.sync_api import Browser, Page
from site_layers import XSS_NAME, XSS_UNLOCATED

from atlas.load import Layers
from atlas.pipeline import joined_layers
from atlas.publish.site import write_site
from atlas.publish.site.pages import RESIZE_SCRIPT
from atlas.publish.site.site_pages import SITE_VIEW_DEG, SITE_WINDOW_DEG
from atlas.screening import SCREENING_LABEL, screen_sites
from tiny_roots import REPO, layers_root

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/atlas_index.png")

TEMPLATE_NAME = "{{7*7}} {% raw %}"
"""A site name that Jinja would print as "49 " or refuse to parse, were it template source."""


@pytest.fixture
def served_site(tmp_path, layers) -> Iterator[str]:
    """URL of the page built from the test layers, served from 127.0.0.1."""
    with serve(write_site(tmp_path / "site", layers).parent) as base_url:
        yield f"{base_url}/index.html"


@pytest.fixture
def page(served_site) -> Iterator[Page]:
    """A loaded page, with every request, dialog and script error it caused recorded."""
    with chromium_page(served_site) as tab:
        yield tab


def test_map_renders_every_layer_with_control_legend_and_scale(page):
    assert page.errors == []
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator(".leaflet-marker-icon.atlas-site").count() == 4  # one site is unlocated
    assert page.locator(".leaflet-marker-icon.atlas-observation").count() == 1
    assert page.locator(".atlas-record, .marker-cluster").count() >= 1
    paths = ("atlas-land", "atlas-lake", "atlas-river", "atlas-river-detail", "atlas-pond")
    for css_class in paths:
        assert page.locator(f".leaflet-container path.{css_class}").count() >= 1, css_class
    toggle = page.get_by_role("button", name="Layers")
    toggle.focus()
    page.keyboard.press("Enter")  # the layer control opens from the keyboard
    control = page.locator(".leaflet-control-layers-list")
    control.wait_for(state="visible")
    for name in (
        "Natural Earth basemap (offline)",
        "Curated sites",
        "USGS rare-earth records",
        "Tailings pond (approximate outline)",
        "Observations",
        "Rivers and lakes 1:10m, near the sites",
    ):
        assert control.get_by_text(name, exact=True).is_visible(), name
    assert page.locator(".leaflet-control-scale").is_visible()
    assert page.get_by_role("heading", name="Legend").is_visible()
    assert page.locator(".legend-entry").first.is_visible()
    assert "Natural Earth" in page.locator(".leaflet-control-attribution").inner_text()
    page.screenshot(path=str(SCREENSHOT))
    page.mouse.click(300, 600)  # a click on the map closes the control again
    assert not control.is_visible()


def test_every_request_stays_on_the_page_host(page, served_site):
    page.locator(".marker-cluster, .atlas-record").first.click()
    page.wait_for_timeout(500)
    assert page.requests, "the page should load its own assets"
    assert off_host(page.requests, served_site) == []


def test_a_script_site_name_is_shown_as_text_in_its_popup(page):
    marker = page.locator(f'.atlas-site[title="{XSS_NAME}"]')
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == XSS_NAME
    assert "<img src=x onerror=alert(2)>" in popup.inner_text()
    assert page.locator(".leaflet-popup-content script, .leaflet-popup-content img").count() == 0
    panel = page.locator("#unlocated-heading + p + ul")
    assert XSS_UNLOCATED in panel.inner_text()
    assert page.dialogs == []


def test_markers_open_with_the_keyboard(page):
    marker = page.locator('.atlas-site[title="Bayan Obo"]')
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Bayan Obo" in text
    assert "USGS OFR 2009-1139 record 23" in text  # the source
    assert "11.8 km to Huang" in text


@pytest.mark.parametrize("page_name", ["index.html", "sites/bayan-obo/embed.html"])
def test_a_site_popup_on_a_phone_stays_within_the_map(served_site, page_name):
    with chromium_page(served_site.replace("index.html", page_name), width_px=390) as phone:
        if page_name == "index.html":
            phone.get_by_role("button", name="Show Bayan Obo (Curated site) on the map").click()
        else:  # the embed's map is shorter: 62vw
            phone.locator('.atlas-site[title="Bayan Obo"]').first.click()
        popup = phone.locator(".leaflet-popup")
        popup.wait_for()
        phone.wait_for_timeout(600)  # the map pans the popup into view
        box = popup.bounding_box()
        map_box = phone.locator(".leaflet-container").first.bounding_box()
        assert box is not None
        assert map_box is not None
        assert box["x"] >= map_box["x"]
        assert box["y"] >= map_box["y"]
        assert box["x"] + box["width"] <= map_box["x"] + map_box["width"]
        assert box["y"] + box["height"] <= map_box["y"] + map_box["height"]


@pytest.mark.parametrize(("width_px", "open_at_first"), [(1000, True), (390, False)])
def test_an_embed_keys_its_symbols_open_on_wide_screens(served_site, width_px, open_at_first):
    embed = served_site.replace("index.html", "embed.html")
    with chromium_page(embed, width_px=width_px) as tab:
        key = tab.locator("details.embed-legend")
        assert key.evaluate("element => element.open") is open_at_first
        if not open_at_first:
            key.locator("summary").click()
        legend = key.locator(".legend")
        assert legend.first.is_visible()
        text = key.inner_text()
        assert "Mine" in text
        assert "USGS rare-earth record" in text
        assert "Tailings pond outline" in text
        assert tab.errors == []


@pytest.mark.parametrize(
    ("page_name", "width_px"),
    [("sites/bayan-obo/index.html", 1280), ("sites/bayan-obo/embed.html", 390)],
)
def test_a_site_map_stays_within_the_area_its_layers_are_drawn_for(
    served_site, layers, page_name, width_px
):
    """Zoomed out as far as it goes and dragged, a site's map shows no more than the box
    where its land and 1:10m rivers are drawn (beyond it they would end in the open)."""
    site = layers.sites[layers.sites["name"] == "Bayan Obo"].geometry.iloc[0]
    with chromium_page(served_site.replace("index.html", page_name), width_px=width_px) as tab:
        zoom_out = tab.locator(".leaflet-control-zoom-out")
        clicks = 0
        while "leaflet-disabled" not in (zoom_out.get_attribute("class") or ""):
            assert clicks < 12, "the map zooms out without end"
            zoom_out.click()
            clicks += 1
            tab.wait_for_timeout(300)
        assert clicks >= 1  # it opens closer than the window
        tab.locator(".leaflet-container").first.drag_to(
            tab.locator(".leaflet-container").first, target_position={"x": 5, "y": 5}
        )
        tab.wait_for_timeout(400)
        south, west, north, east = tab.evaluate(
            "() => { const b = window.atlas.map.getBounds(); "
            "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
        )
        half = SITE_WINDOW_DEG + 0.005  # Leaflet rounds to whole pixels (0.003 degrees here)
        assert site.x - half <= west < east <= site.x + half
        assert site.y - half <= south < north <= site.y + half
        assert tab.errors == []


def test_a_wide_short_site_map_far_from_the_equator_opens_on_its_whole_view(served_site, layers):
    """Where the opening view is wider than the zoom that fills the map with the window allows
    (a map six times wider than high at 42 degrees north), the map opens on the view all the
    same: the floor of its zoom is the opening one."""
    site = layers.sites[layers.sites["name"] == "Bayan Obo"].geometry.iloc[0]
    url = served_site.replace("index.html", "sites/bayan-obo/index.html")
    with chromium_page(url, width_px=2560, height_px=400) as tab:
        south, west, north, east = tab.evaluate(
            "() => { const b = window.atlas.map.getBounds(); "
            "return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
        )
        half = SITE_VIEW_DEG - 0.005  # Leaflet rounds to whole pixels
        assert west <= site.x - half < site.x + half <= east
        assert south <= site.y - half < site.y + half <= north
        assert tab.errors == []


def test_a_template_site_name_is_shown_literally_in_its_popup(tmp_path, layers):
    sites = layers.sites
    probe = sites.iloc[[0]].assign(name=TEMPLATE_NAME, notes=TEMPLATE_NAME, lon=25.0, lat=5.0)
    probe = probe.set_geometry(gpd.GeoSeries.from_xy([25.0], [5.0], crs=4326, index=probe.index))
    sites = gpd.GeoDataFrame(pd.concat([sites, probe], ignore_index=True), crs=4326)
    layers = replace(layers, sites=sites)
    with (
        serve(write_site(tmp_path / "site", layers).parent) as base_url,
        chromium_page(f"{base_url}/index.html") as tab,
    ):
        marker = tab.locator(f'.atlas-site[title="{TEMPLATE_NAME}"]')
        assert marker.count() == 1
        marker.click()
        popup = tab.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("h3").inner_text() == TEMPLATE_NAME
        assert popup.locator("dt:text-is('Notes') + dd").inner_text() == TEMPLATE_NAME
        assert tab.errors == []


# --- Every page type of a site built from the shipped layers -------------------------------

SCREENSHOTS = REPO / "tests" / "screenshots"
"""Where the run leaves a screenshot of each page type at each width, for a person to look at
(git-ignored; not compared pixel by pixel)."""

HTML_RECORD = "<img src=x onerror=alert(5)>Record"
"""A USGS record name that would run if its popup or table row parsed it as HTML."""

INDEX_LIMIT_BYTES = 2_500_000
EMBED_LIMIT_BYTES = 1_500_000
WIDTHS_PX = (1200, 360)
SCREENING_REALIZATIONS = 20


def _shipped_layers_with_probes(root: Path) -> Layers:
    """The shipped layers (sites joined), plus a site and a USGS record whose text is HTML."""
    layers = joined_layers(layers_root(root))
    sites, usgs = layers.sites, layers.usgs_sites
    site = sites.iloc[[0]].assign(name=XSS_NAME, commodity="REE <b>bold</b>", lon=25.0, lat=5.0)
    site = site.set_geometry(gpd.GeoSeries.from_xy([25.0], [5.0], crs=4326, index=site.index))
    record = usgs.iloc[[0]].assign(
        site_name=HTML_RECORD, record_id="probe", record_url="javascript:alert(6)"
    )
    record = record.set_geometry(
        gpd.GeoSeries.from_xy([-30.0], [-20.0], crs=4326, index=record.index)
    )
    return replace(
        layers,
        sites=gpd.GeoDataFrame(pd.concat([sites, site], ignore_index=True), crs=4326),
        usgs_sites=gpd.GeoDataFrame(pd.concat([usgs, record], ignore_index=True), crs=4326),
    )


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory) -> Iterator[str]:
    """Base URL of a site built once from the shipped layers (and two probes), served from
    127.0.0.1, with a host page embedding the index's embed."""
    folder = tmp_path_factory.mktemp("shipped")
    layers = _shipped_layers_with_probes(folder / "root")
    screening = screen_sites(layers, realizations=SCREENING_REALIZATIONS, seed=1)
    site = write_site(folder / "site", layers, screening=screening).parent
    host = (
        f'<!DOCTYPE html><html lang="en"><head><title>Host</title>'
        '<link rel="icon" href="data:,"></head><body>'
        f'<p>Article text.</p><iframe id="atlas" title="Map" src="embed.html" scrolling="no" '
        f'style="width:0;min-width:100%;border:none" height="100"></iframe>{RESIZE_SCRIPT}'
        f'<script>window.heights=[];window.addEventListener("message",function(e){{'
        f'window.heights.push(e.data["datawrapper-height"]);}});</script></body></html>'
    )
    (site / "host.html").write_text(host, encoding="utf-8")
    with serve(site) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with launched() as browser:
        yield browser


PAGE_TYPES = {
    "index": "index.html",
    "index-embed": "embed.html",
    "sites": "sites/index.html",
    "site": "sites/mountain-pass-mine-and-mill/index.html",
    "site-embed": "sites/mountain-pass-mine-and-mill/embed.html",
    "embed-guide": "embed/index.html",
    "downloads": "downloads/index.html",
    "context": "context/index.html",
}


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_loads_locally_without_errors_within_its_weight(shipped_site, chromium, kind):
    url = f"{shipped_site}/{PAGE_TYPES[kind]}"
    for width in WIDTHS_PX:
        with visit(chromium, url, width) as (tab, record):
            assert record.errors == []
            assert record.console_errors == []
            assert record.failed == []
            assert off_host(list(record.sizes_bytes), url) == []
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SCREENSHOTS / f"{kind}-{width}.png"))
            if kind == "index":
                assert record.transferred_bytes <= INDEX_LIMIT_BYTES
            elif kind.endswith("embed"):
                assert record.transferred_bytes <= EMBED_LIMIT_BYTES
            if kind.endswith("embed"):  # sources visible at every width
                assert tab.locator(".embed-sources").is_visible()
                assert tab.locator(".embed-sources").bounding_box()["width"] <= width


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_axe_finds_no_serious_or_critical_violation(shipped_site, chromium, kind):
    with visit(chromium, f"{shipped_site}/{PAGE_TYPES[kind]}") as (tab, _):
        results = Axe().run(tab)
    serious = [
        (v["id"], [node["target"] for node in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []


def test_the_embed_reports_its_height_and_its_iframe_follows_at_320_and_1200_px(
    shipped_site, chromium
):
    heights = {}
    with visit(chromium, f"{shipped_site}/host.html", 320) as (tab, _):
        frame = tab.locator("iframe#atlas")
        for width in (320, 1200):
            tab.set_viewport_size({"width": width, "height": 800})
            inner = tab.frame_locator("iframe#atlas").locator("body")
            tab.wait_for_function(
                "() => { const f = document.getElementById('atlas');"
                " const b = f.contentDocument.body.getBoundingClientRect().height;"
                " return Math.abs(f.getBoundingClientRect().height - Math.ceil(b)) <= 1; }"
            )
            heights[width] = frame.bounding_box()["height"]
            assert inner.locator(".embed-sources").is_visible()
        posted = tab.evaluate("window.heights")
    assert heights[320] > 200
    assert heights[1200] > heights[320] + 100  # the map grows with the width
    assert {next(iter(message)) for message in posted} == {"atlas"}


def test_html_in_a_usgs_record_shows_as_text_in_the_table_and_its_popup(shipped_site, chromium):
    with visit(chromium, f"{shipped_site}/index.html") as (tab, record):
        tab.locator("#site-search").fill("onerror=alert(5)")
        row = tab.locator("#site-table tbody tr")
        assert row.count() == 1
        assert row.locator("th").inner_text() == HTML_RECORD
        row.get_by_role("button").click()
        popup = tab.locator(".leaflet-popup-content")
        popup.wait_for()
        assert popup.locator("h3").inner_text() == HTML_RECORD
        assert popup.locator("img, a[href^='javascript']").count() == 0
        assert "javascript:alert(6)" in popup.inner_text()  # not a link: shown as text
        assert tab.locator("#site-table img").count() == 0
        assert record.dialogs == []


def test_the_table_searches_and_sorts_from_the_keyboard(shipped_site, chromium):
    with visit(chromium, f"{shipped_site}/index.html") as (tab, _):
        status = tab.locator("#site-count")
        total = int(status.inner_text().split(" of ")[1].split()[0])
        assert total > 2000
        tab.locator("#site-search").focus()
        tab.keyboard.type("mountain pass")
        assert "match" in status.inner_text()
        sort = tab.get_by_role("button", name="Name", exact=True)
        sort.focus()
        tab.keyboard.press("Enter")
        header = tab.locator("#site-table thead th").first
        assert header.get_attribute("aria-sort") == "ascending"
        tab.keyboard.press("Enter")
        assert header.get_attribute("aria-sort") == "descending"
        names = tab.locator("#site-table tbody th").all_inner_texts()
        assert names == sorted(names, reverse=True)
        assert any("Mountain Pass" in name for name in names)
        mine = tab.get_by_role(
            "button", name="Show Mountain Pass Mine and Mill (Curated site) on the map"
        )
        mine.focus()
        tab.keyboard.press("Enter")
        popup = tab.locator(".leaflet-popup-content h3")
        popup.wait_for()
        assert popup.inner_text() == "Mountain Pass Mine and Mill"


def test_the_embed_guide_copies_the_snippet_and_shows_a_live_example(shipped_site, chromium):
    with visit(chromium, f"{shipped_site}/embed/index.html") as (tab, _):
        snippet = tab.locator("textarea.snippet").input_value()
        assert f'src="{shipped_site}/embed.html"' in snippet
        assert snippet.endswith(RESIZE_SCRIPT)
        tab.get_by_role("button", name="Copy the embed code").click()
        assert tab.locator(".copy-status").inner_text() != ""
        tab.wait_for_function(
            "() => document.getElementById('atlas').getBoundingClientRect().height > 300"
        )


def test_the_screening_shows_in_the_table_and_on_the_site_page_as_modelled(shipped_site, chromium):
    with visit(chromium, f"{shipped_site}/index.html") as (tab, _):
        assert SCREENING_LABEL in tab.locator("#site-list .modelled-banner").inner_text()
        headers = tab.locator("#site-table thead th").all_inner_texts()
        assert "Modelled chance, 500 yr" in headers
        tab.locator("#site-search").fill("Mountain Pass Mine")
        cells = tab.locator("#site-table tbody tr").first.locator("td.number").all_inner_texts()
        assert len(cells) == 4  # distance and three chances
        assert all(re.fullmatch(r"\d+%", cell) for cell in cells[1:])
    site = f"{shipped_site}/{PAGE_TYPES['site']}"
    with visit(chromium, site) as (tab, _):
        facts = tab.locator(".site-facts").inner_text()
        assert SCREENING_LABEL in facts
        assert re.search(r"\d+% within 50 years, \d+% within 100 years", facts)
        assert f"{SCREENING_REALIZATIONS} realizations" in facts
