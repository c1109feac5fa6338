"""A page per curated site: which sites, safe slugs, facts with sources, the export-control
timeline of the site's commodities, its downloads; and every link of the site resolves."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from site_layers import XSS_NAME

from atlas.publish.site import write_site
from atlas.publish.site.site_facts import commodity_groups, export_control_timeline
from atlas.publish.site.site_pages import (
    NEARBY_KM,
    Projection,
    _screened,
    projections_at,
    site_pages,
    write_site_pages,
)
from atlas.scenario import load_scenario
from tiny_roots import REPO, tiny_scenario

CONTROLS = pd.DataFrame(
    [
        {"fact_id": "a", "topic": "export control", "commodity": "antimony",
         "statement": "Controls on antimony", "value": "2024-09-15", "unit": "date",
         "as_of": "2024-09-15", "source": "Paper A", "source_cites": "", "notes": ""},
        {"fact_id": "b", "topic": "export control", "commodity": "Sm, Gd, Tb, Dy, Lu, Sc, Y",
         "statement": "Seven <b>heavy</b> rare earths", "value": "7", "unit": "elements",
         "as_of": "2025-04", "source": "Paper B", "source_cites": "customs data", "notes": ""},
        {"fact_id": "c", "topic": "export control", "commodity": "rare earths",
         "statement": "Rare Earth Management Regulations", "value": "2024-10-01",
         "unit": "date", "as_of": "2024-10-01", "source": "Paper C", "source_cites": "",
         "notes": ""},
        {"fact_id": "d", "topic": "trade", "commodity": "rare earths", "statement": "Exports",
         "value": "3000", "unit": "tonnes", "as_of": "2025-04", "source": "Paper D",
         "source_cites": "", "notes": ""},
    ]
)  # fmt: skip


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in {"href", "src", "data-embed-src"}]


@pytest.fixture
def site(tmp_path, layers) -> Path:
    layers = replace(layers, context_facts=CONTROLS)
    return write_site(tmp_path / "site", layers).parent


@pytest.mark.parametrize(
    ("commodity", "groups"),
    [
        ("REE;Fe;Nb;Th", {"rare earths"}),
        ("HREE (xenotime): Dy, Tb", {"rare earths"}),
        ("NdPr metal; NdFeB magnets", {"rare earths"}),
        ("Sb", {"antimony"}),
        ("silver, antimony, tungsten", {"silver", "antimony", "tungsten"}),
        ("Sm, Gd, Tb, Dy, Lu, Sc, Y", {"rare earths"}),
        ("Fe; Nb; Ta; phosphate", set()),
        ("dual-use items", set()),  # no element symbol read out of a word
        (None, set()),
    ],
)
def test_commodities_are_grouped_as_sites_and_facts_name_them(commodity, groups):
    assert commodity_groups(commodity) == groups


def test_the_timeline_holds_the_export_controls_of_the_commodities_oldest_first():
    entries = export_control_timeline(CONTROLS, {"rare earths"})
    assert [e.date for e in entries] == ["2024-10-01", "2025-04"]
    assert entries[1].figure == "7 elements"
    assert entries[0].figure is None  # a date is the entry's date, not a figure
    assert entries[1].source == "Paper B, citing customs data"
    assert export_control_timeline(CONTROLS, set()) == ()


def test_located_sites_other_than_towns_get_a_page_with_a_unique_ascii_slug(layers):
    pages = site_pages(layers.sites)
    assert [p.name for p in pages] == sorted(["Bayan Obo", "Baogang tailings dam", XSS_NAME])
    assert [p.slug for p in pages] == ["script-alert-1-script", "baogang-tailings-dam", "bayan-obo"]
    assert [p.slug for p in site_pages(layers.sites)] == [p.slug for p in pages]
    twins = pd.concat([layers.sites.iloc[[0]], layers.sites.iloc[[0]]], ignore_index=True)
    twins = twins.set_crs(4326, allow_override=True)
    assert [p.slug for p in site_pages(twins)] == ["bayan-obo", "bayan-obo-2"]


def test_a_site_page_shows_its_facts_with_sources_and_its_timeline(site):
    html = (site / "sites" / "bayan-obo" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Bayan Obo</h1>" in html
    assert "USGS OFR 2009-1139 record 23" in html  # the source of its facts
    assert "11.8 km to Huang (measured in EPSG:32649" in html
    timeline = html.split('id="timeline-heading"', 1)[1].split("</section>", 1)[0]
    assert "Export controls on rare earths" in timeline
    assert timeline.index("2024-10-01") < timeline.index("2025-04")
    assert "Seven &lt;b&gt;heavy&lt;/b&gt; rare earths (7 elements)" in timeline
    assert "Source: Paper C" in timeline
    assert "antimony" not in timeline.lower()
    assert 'href="../../downloads/sites/bayan-obo.geojson"' in html
    embed = (site / "sites" / "bayan-obo" / "embed.html").read_text(encoding="utf-8")
    key = embed.split('<details class="embed-legend">', 1)[1].split("</details>", 1)[0]
    assert "Key to the map" in key
    assert "Mine" in key  # Bayan Obo's own kind, from the sites in its window
    assert "Tailings pond outline" in key
    assert 'href="#projections"' not in key  # no such section in an embed


def test_a_script_name_is_text_on_its_page_and_in_the_list(site):
    page = (site / "sites" / "script-alert-1-script" / "index.html").read_text(encoding="utf-8")
    listing = (site / "sites" / "index.html").read_text(encoding="utf-8")
    for html in (page, listing):
        assert XSS_NAME not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in page


def test_the_downloads_of_a_site_hold_it_and_what_lies_around_it(site):
    folder = site / "downloads" / "sites"
    collection = json.loads((folder / "baogang-tailings-dam.geojson").read_text("utf-8"))
    layers = [f["properties"]["layer"] for f in collection["features"]]
    assert layers[0] == "sites"
    assert {"tailings_pond", "observations"} <= set(layers)
    assert collection["features"][0]["properties"]["name"] == "Baogang tailings dam"
    table = pd.read_csv(folder / "baogang-tailings-dam.csv")
    assert list(table["layer"]) == layers
    assert table["geometry_wkt"].iloc[0].startswith("POINT (109.687972 40.637861")


def test_every_link_of_every_page_resolves_to_a_file_of_the_site(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 2 + 2 * 3 + 3  # index, 3 sites with embeds, list, guide, downloads
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.urls:
            if re.match(r"^(data:|#|https?://)", url):
                continue
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {url}"
            assert target.is_relative_to(site.resolve())


def test_the_site_links_the_geopackage_only_when_it_is_built(site):
    downloads = (site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert "atlas.gpkg" not in downloads
    assert not (site / "downloads" / "atlas.gpkg").exists()


def test_an_unnamed_nearest_water_is_named_by_its_kind_on_the_page(layers):
    page = site_pages(layers.sites)[0]
    screening = pd.DataFrame(
        {
            "site_id": [f"sites.csv:{page.row['name']}"],
            "nearest_water_name": [None],
            "nearest_water_kind": ["lake"],
            "distance_m": [10_067.8],
            "utm_epsg": [32636],
            "method": ["test"],
            "realizations": [10],
            "modelled": ["MODELLED"],
            **{f"p_reach_{h}yr": [0.25] for h in (50, 100, 500)},
        }
    )
    facts = _screened(screening, page)
    assert facts is not None
    assert facts.water is not None
    assert facts.water.startswith("unnamed lake, 10.1 km (measured in EPSG:32636")


def test_a_site_links_the_plume_pages_whose_grid_holds_it_or_lies_near(layers, tmp_path):
    text = tiny_scenario("tiny", 100.0, title="The tiny one")
    tiny = load_scenario(tomllib.loads(text), root=REPO)
    away = load_scenario(tomllib.loads(tiny_scenario("away", 100.0, x0=400000)), root=REPO)
    far = load_scenario(tomllib.loads(tiny_scenario("far", 100.0, x0=420000)), root=REPO)
    inside = gpd.GeoSeries([shapely.Point(389_500, 4_496_750)], crs=tiny.crs).to_crs(4326)
    page = site_pages(layers.sites)[0]
    row = page.row.copy()
    row["geometry"] = inside.iloc[0]
    here = replace(page, row=gpd.GeoDataFrame([row], geometry="geometry", crs=4326).iloc[0])
    folders = {name: f"scenarios/{name}" for name in ("tiny", "away", "far")}
    assert NEARBY_KM < 30.5  # the far grid lies 30.5 km east of the site, the away one 10.5 km
    found = projections_at(here, [far, away, tiny], folders)
    assert found == (
        Projection("tiny", "The tiny one", "tiny at 100 m/yr", "scenarios/tiny/index.html"),
        Projection(
            "away", "away", "away at 100 m/yr", "scenarios/away/index.html", pytest.approx(10.5)
        ),
    )
    assert projections_at(here, [tiny], {"away": "scenarios/away"}) == ()  # no page of its own
    assert projections_at(page, [away, tiny], folders) == ()  # the first site is elsewhere
    (written, _) = write_site_pages(
        tmp_path, layers, (here,), sections=frozenset(), scenarios=[tiny, away], folders=folders
    )
    html = written.read_text(encoding="utf-8")
    section = html.split('id="projections-heading"', 1)[1].split("</section>", 1)[0]
    assert section.startswith(">Plume projections here and nearby ")
    assert '<a href="../../scenarios/tiny/index.html">The tiny one</a>: tiny at 100 m/yr' in section
    assert (
        '<a href="../../scenarios/away/index.html">away</a> '
        f"(its grid {found[1].distance_km:.0f} km from this site): away at 100 m/yr"
    ) in section
    (written, _) = write_site_pages(
        tmp_path / "b", layers, (here,), sections=frozenset(), scenarios=[away], folders=folders
    )
    html = written.read_text(encoding="utf-8")
    assert '<h2 id="projections-heading">Plume projections nearby <span' in html
