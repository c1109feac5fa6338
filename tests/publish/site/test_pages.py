"""The page framework: relative links from any folder, the nav, embeds, safe slugs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from atlas.publish.site.pages import (
    EMBED_PAGE,
    NAV,
    RESIZE_SCRIPT,
    Chrome,
    embed_id,
    render_page,
    slug,
    write_page,
)

ALL = frozenset(link.key for link in NAV)


class _Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value or "" for name, value in attrs if name in {"href", "src"}]


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def chrome(folder: str = "sites/mountain-pass", **kwargs: object) -> Chrome:
    values: dict[str, object] = {"title": "Mountain Pass", "section": "sites", "sections": ALL}
    return Chrome(folder=folder, **{**values, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("folder", "root"), [("", ""), ("sites", "../"), ("sites/bayan-obo", "../../")]
)
def test_the_root_is_reached_by_relative_steps(folder, root):
    assert chrome(folder).root == root


@pytest.mark.parametrize("folder", ["../etc", "/sites", "Sites", "sites//x", "sites/", "a b"])
def test_a_folder_outside_the_layout_is_refused(folder):
    with pytest.raises(ValueError, match="page folder"):
        chrome(folder)


def test_an_unknown_section_is_refused():
    with pytest.raises(ValueError, match="section"):
        chrome(section="blog")


def test_the_nav_links_relatively_to_the_sections_present_and_marks_the_current_one():
    page = chrome(sections=frozenset({"sites", "downloads"}))
    nav = [(link.key, url, current) for link, url, current in page.nav]
    assert nav == [
        ("index", "../../index.html", False),
        ("sites", "../../sites/index.html", True),
        ("downloads", "../../downloads/index.html", False),
    ]


def test_every_link_of_a_page_resolves_inside_the_site_from_its_folder(tmp_path):
    page = chrome(embed=True, source_line="Sources: USGS")
    html = render_page("base.html", page)
    written = write_page(tmp_path, page, html, embed=render_page("embed_base.html", page))
    assert written == tmp_path / "sites" / "mountain-pass" / "index.html"
    for name in ("index.html", EMBED_PAGE):
        for url in links((written.parent / name).read_text(encoding="utf-8")):
            if url.startswith(("data:", "#")):
                continue
            assert not re.match(r"^[a-z]+:|^/", url), url
            target = (written.parent / url).resolve()
            assert target.is_relative_to(tmp_path.resolve()), url


def test_the_full_page_shows_the_nav_and_the_embed_code_box(tmp_path):
    html = render_page("base.html", chrome(embed=True, source_line="s"))
    assert '<nav class="site-nav" aria-label="Atlas">' in html
    assert 'aria-current="page">Sites</a>' in html
    assert 'data-embed-src="embed.html"' in html
    assert 'data-embed-id="atlas-sites-mountain-pass"' in html
    assert "../../assets/site.js" in html
    assert "../../assets/atlas.css" in html
    assert render_page("base.html", chrome()).count("embed-snippet") == 0


def test_the_embed_has_no_nav_and_always_its_sources_and_modelled_label():
    html = render_page(
        "embed_base.html", chrome(embed=True, source_line="Sources: <USGS>", modelled="MODELLED")
    )
    assert "site-nav" not in html
    assert '<html lang="en" data-embed-id="atlas-sites-mountain-pass">' in html
    assert "Sources: &lt;USGS&gt;" in html
    assert '<span class="modelled-tag">modelled</span> MODELLED' in html
    assert '<script src="../../assets/embed.js"></script>' in html
    assert 'href="index.html"' in html


def test_text_in_the_chrome_is_escaped():
    html = render_page("base.html", chrome(title="<script>alert(1)</script>", embed=True))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_write_page_refuses_an_embed_the_chrome_does_not_announce(tmp_path):
    with pytest.raises(ValueError, match=r"chrome\.embed"):
        write_page(tmp_path, chrome(), "<p>", embed="<p>")
    with pytest.raises(ValueError, match=r"chrome\.embed"):
        write_page(tmp_path, chrome(embed=True), "<p>")


def test_embed_ids_follow_the_folder():
    assert embed_id("") == "atlas"
    assert embed_id("scenarios/baotou") == "atlas-scenarios-baotou"


def test_the_resize_listener_is_one_line_reading_the_datawrapper_message():
    assert "\n" not in RESIZE_SCRIPT
    assert '"datawrapper-height"' in RESIZE_SCRIPT
    assert "contentWindow===e.source" in RESIZE_SCRIPT


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mountain Pass", "mountain-pass"),
        ("Bayan Obo (Baiyun Obo) REE-Fe-Nb deposit", "bayan-obo-baiyun-obo-ree-fe-nb-deposit"),
        ("Sète Mine", "sete-mine"),
        ("../../etc/passwd", "etc-passwd"),
        ("<script>", "script"),
        ("白云鄂博", "site"),
        ("", "site"),
    ],
)
def test_slugs_are_lower_case_ascii(name, expected):
    assert slug(name) == expected


def test_slugs_are_unique_and_short():
    assert slug("Mountain Pass", taken={"mountain-pass"}) == "mountain-pass-2"
    assert slug("Mountain Pass", taken={"mountain-pass", "mountain-pass-2"}) == "mountain-pass-3"
    long = slug("x" * 30 + " " + "y" * 80)
    assert long == "x" * 30 + "-" + "y" * 29  # no word ends in the second half: cut at 60
    words = slug("Ivanpah Lake (dry lake; area of Molycorp wastewater evaporation ponds)")
    assert words == "ivanpah-lake-dry-lake-area-of-molycorp-wastewater"


def test_the_site_index_is_written_with_its_embed(tmp_path, layers):
    from atlas.publish.site import write_site

    site = write_site(tmp_path / "site", layers).parent
    embed = (site / EMBED_PAGE).read_text(encoding="utf-8")
    assert 'data-embed-id="atlas"' in embed
    assert "site-nav" not in embed
    assert 'class="atlas-map"' in embed
    for url in links(embed) + links((site / "index.html").read_text(encoding="utf-8")):
        if not url.startswith(("data:", "#", "http")):
            assert (site / url.split("#")[0]).exists(), url
    assert Path(site / "assets" / "embed.js").is_file()
