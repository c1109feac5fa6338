"""The built page in headless Chromium: it renders, stays on its own host, shows data as text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from browser import chromium_page, off_host, serve
from playwright.sync_api import Page
from site_layers import XSS_NAME, XSS_UNLOCATED

from atlas.publish.site import write_site

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
