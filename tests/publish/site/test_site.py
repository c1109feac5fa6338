"""The written site: escaped, deterministic, self-contained, and honest about what it lacks."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from site_layers import XSS_NAME

from atlas.errors import CRSPolicyError, OutputError
from atlas.publish.site import write_site
from atlas.publish.site.assets import ASSETS


class _Resources(HTMLParser):
    """Every URL the browser would fetch: script src, link href, img/iframe/source src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")
        if tag in {"script", "img", "iframe", "source", "audio", "video", "embed"} and values.get(
            "src"
        ):
            self.urls.append(values["src"] or "")


def _fetched_urls(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return parser.urls


def _is_local(url: str) -> bool:
    return not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.I) or url.startswith("data:")


@pytest.fixture
def page(tmp_path, layers) -> str:
    return write_site(tmp_path / "site", layers).read_text(encoding="utf-8")


def test_names_from_layers_never_appear_as_markup(page):
    assert XSS_NAME not in page
    assert "<img src=x" not in page
    assert "<b>Bold</b>" not in page
    # The unlocated site is listed in the panel as escaped text.
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;unlocated&lt;/i&gt;" in page


def test_no_script_block_can_be_closed_by_data(page):
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 1
    assert "alert(" in scripts[0]  # the XSS site is in the data, as escaped JSON
    assert "<" not in re.sub(r"\\u003c", "", scripts[0].split("_add(", 1)[1])


def test_building_twice_gives_identical_bytes(tmp_path, layers):
    first = write_site(tmp_path / "a", layers).parent
    second = write_site(tmp_path / "b", layers).parent
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    for name in files_a:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_element_ids_come_from_a_counter_not_uuids(page):
    assert re.search(r"\b[a-z_]+_[0-9a-f]{32}\b", page) is None
    assert 'id="map_' in page


def test_page_and_styles_fetch_nothing_from_another_host(tmp_path, layers):
    site = write_site(tmp_path / "site", layers).parent
    html = (site / "index.html").read_text(encoding="utf-8")
    urls = _fetched_urls(html)
    assert urls, "the page should load its scripts and styles"
    assert [u for u in urls if not _is_local(u)] == []
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            assert _is_local(url), (css.name, url)
        assert "@import" not in css.read_text(encoding="utf-8")
    assert "openstreetmap.org/{z}" not in html
    assert "cdn" not in " ".join(urls).lower()


def test_every_linked_asset_is_in_the_site(tmp_path, layers):
    site = write_site(tmp_path / "site", layers).parent
    for url in _fetched_urls((site / "index.html").read_text(encoding="utf-8")):
        if not url.startswith("data:"):
            assert (site / url).is_file(), url
    for asset in ASSETS:
        assert (site / asset.target).read_bytes() == asset.source.read_bytes()
    for css in (site / "assets").rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")?#]+)", css.read_text(encoding="utf-8")):
            if not url.startswith("data:"):
                assert (css.parent / url).is_file(), (css.name, url)
    notices = (site / "assets" / "THIRD_PARTY_NOTICES.txt").read_text(encoding="utf-8")
    assert "BSD 2-Clause" in notices
    assert "MIT License" in notices


def test_tiles_are_offered_only_when_asked_and_start_switched_off(tmp_path, layers):
    html = write_site(tmp_path / "site", layers, tiles=True).read_text(encoding="utf-8")
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "openstreetmap.org/copyright" in html
    tile_layer = re.search(r"var (tile_layer_\d+) = L\.tileLayer", html).group(1)
    assert f"{tile_layer}.addTo(" not in html
    assert [u for u in _fetched_urls(html) if not _is_local(u)] == []


def test_unlocated_sites_are_listed_with_their_description_not_drawn(page):
    panel = page.split('id="unlocated-heading"', 1)[1].split("</section>", 1)[0]
    assert "about 40 km NE of Narsaq &lt;unverified&gt;" in panel
    assert "press release &lt;2024&gt;" in panel
    script = page.split("<script>\n", 1)[1]
    assert "Narsaq" not in script
    assert "Unplaced sample" not in script
    assert "Observations without a location" in page


def test_distances_and_areas_name_their_source(page):
    assert "11.8 km to Huang (measured in EPSG:32649 (UTM zone 49N), from Natural Earth" in page
    assert "11.0 km²" in page
    assert "Approximate outline" in page
    assert "an approximation" in page


def test_page_has_language_title_viewport_and_heading(page):
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert re.search(r"<title>[^<]+</title>", page)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "user-scalable=no" not in page
    assert "<h1>" in page
    assert "What this map shows" in page
    assert "Natural Earth" in page
    assert "public domain" in page.lower()


def test_layers_in_another_crs_are_refused(tmp_path, layers):
    layers = replace(layers, usgs_sites=layers.usgs_sites.to_crs(3857))
    with pytest.raises(CRSPolicyError, match=r"usgs_sites.*EPSG:4326"):
        write_site(tmp_path / "site", layers)
    assert not (tmp_path / "site").exists()


def test_a_previous_site_is_replaced_but_other_folders_are_not(tmp_path, layers):
    out = tmp_path / "site"
    write_site(out, layers)
    (out / "stale.txt").write_text("old", encoding="utf-8")
    write_site(out, layers)
    assert not (out / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]

    precious = tmp_path / "home"
    precious.mkdir()
    (precious / "thesis.tex").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not an earlier site"):
        write_site(precious, layers)
    assert (precious / "thesis.tex").exists()
