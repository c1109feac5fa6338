"""Scenario pages of the built tiny site: their files, the sentence of the result's own
numbers, the chart's data, the claim check of the scenarios on one grid, escaping."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from atlas.publish.outputs import read_result
from atlas.publish.site.plume_sentence import result_sentence
from atlas.publish.site.scenario_view import observed_on_grid
from atlas.scenario import load_scenario
from tiny_roots import XSS_DESCRIPTION

pytestmark = pytest.mark.slow

SLUGS = {"baotou": "baotou", "baotou_fast_path": "baotou-fast-path", "far_away": "far-away"}


def _page(site: Path, slug: str, name: str = "index.html") -> str:
    return (site / "scenarios" / slug / name).read_text(encoding="utf-8")


def _text(html: str) -> str:
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _result(site: Path, root: Path, name: str):
    scenario = load_scenario(root / "scenarios" / f"{name}.toml")
    result = read_result(site / "plumes" / name, scenario)
    assert result is not None
    return result


@pytest.fixture(scope="module")
def results(built_site, tiny_root):
    return {name: _result(built_site, tiny_root, name) for name in SLUGS}


def _data(site: Path, slug: str) -> dict:
    text = (site / "scenarios" / slug / "plume-data.js").read_text(encoding="utf-8")
    prefix = "window.atlasPlumeData = "
    assert text.startswith(prefix)
    return json.loads(text[len(prefix) :].rstrip().rstrip(";"))


def test_each_scenario_has_its_page_embed_images_chart_and_data(built_site, results):
    for name, slug in SLUGS.items():
        folder = built_site / "scenarios" / slug
        times = results[name].scenario.output_times_yr
        for file in ("index.html", "embed.html", "plume-data.js", "receptors.svg"):
            assert (folder / file).is_file(), (slug, file)
        data = _data(built_site, slug)
        assert [frame["image"] for frame in data["frames"]] == [
            f"plume_{k:02d}.png" for k in range(len(times))
        ]
        assert all((folder / frame["image"]).is_file() for frame in data["frames"])
        assert [frame["label"] for frame in data["frames"]] == [
            f"{2000 + t:g}" for t in times
        ]  # tiny scenarios start in 2000
    listing = _text((built_site / "scenarios" / "index.html").read_text(encoding="utf-8"))
    for name in SLUGS:
        assert name in listing


def test_the_page_says_the_sentence_of_the_results_numbers(built_site, results):
    for name, slug in SLUGS.items():
        sentence = result_sentence(results[name])
        assert re.search(r"\d{4}", sentence), sentence
        assert sentence in _text(_page(built_site, slug))
        assert sentence in _text(_page(built_site, slug, "embed.html"))


def test_the_chart_data_are_the_receptor_series_at_the_output_times(built_site, results):
    result = results["baotou"]
    record = result.dataset["receptor_concentration"].sel(receptor="river")
    table = re.search(
        r'<details class="chart-data">(.*?)</details>', _page(built_site, "baotou"), re.S
    )
    assert table
    rows = [_text(row).split(" ") for row in re.findall(r"<tr>(.*?)</tr>", table[1], re.S)]
    assert rows[0][0] == "calendar"  # the header: calendar year, river (mg/L)
    body = rows[1:]
    assert [row[0] for row in body] == [f"{2000 + t:g}" for t in result.scenario.output_times_yr]
    for row, time_yr in zip(body, result.scenario.output_times_yr, strict=True):
        expected = float(record.sel(record_time_yr=time_yr))
        shown = float(row[1].replace(",", ""))
        assert shown == pytest.approx(expected, rel=5e-3, abs=1e-12)


def test_the_pair_on_one_grid_is_a_claim_check_and_the_lone_one_is_not(built_site, results):
    page = _page(built_site, "baotou")
    assert "Claim check" in page
    assert 'href="../baotou-fast-path/index.html"' in page
    assert result_sentence(results["baotou_fast_path"]) in _text(page)
    assert 'id="facts-table"' in page
    assert "Claim check" not in _page(built_site, "far-away")


def test_scenario_text_is_escaped(built_site):
    page = _page(built_site, "baotou-fast-path")
    assert XSS_DESCRIPTION not in page
    assert html_text.escape(XSS_DESCRIPTION, quote=False) in page


def test_downloads_link_the_plume_files_including_the_quicklooks(built_site):
    page = _page(built_site, "baotou")
    links = re.findall(r'href="\.\./\.\./plumes/baotou/([^"]+)"', page)
    assert "quicklook_receptors.png" in links
    assert "concentration.nc" in links
    for link in links:
        assert (built_site / "plumes" / "baotou" / link).is_file()


def test_the_images_lie_in_the_bounds_the_map_is_given(built_site, results):
    data = _data(built_site, "baotou")
    (south, west), (north, east) = data["bounds"]
    assert south < north
    assert west < east
    grid = results["baotou"].scenario.grid
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(grid.crs, 4326, always_xy=True).transform(
        *np.mean(np.reshape(grid.bounds_m, (2, 2)), axis=0)
    )
    assert south < lat < north
    assert west < lon < east


def test_observations_on_the_grid_edge_are_on_the_grid(results):
    """Inside or on the edge (as the scenario reader accepts a place), not beyond it."""
    grid = results["baotou"].scenario.grid
    x0, y0, x1, y1 = grid.bounds_m
    places = {
        "inside": ((x0 + x1) / 2, (y0 + y1) / 2),
        "west edge": (x0, (y0 + y1) / 2),
        "north-east corner": (x1, y1),
        "beyond": (x1 + grid.cell_size_m, y1),
    }
    observations = gpd.GeoDataFrame(
        {"name": list(places)},
        geometry=[shapely.Point(xy) for xy in places.values()],
        crs=grid.crs,
    )
    named = [o.name for o in observed_on_grid(observations, results["baotou"])]
    assert named == ["inside", "north-east corner", "west edge"]
