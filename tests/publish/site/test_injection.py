"""Data is never code: text from a layer, a scenario or a file name reaches the page as a value.

Every text field of every layer and of a scenario carries Jinja syntax (an expression, an
unclosed ``{% raw %}`` and ``{#``, and an expression that would run Python). The build must
succeed, and wherever a field shows on the page it must show literally: evaluated, the
expressions would print ``49`` and a process id; parsed, the unclosed blocks would crash.
"""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import xarray as xr
from branca.element import Element
from pyproj import CRS
from site_layers import make_layer_frames

from atlas.grid import Grid
from atlas.load import LAYERS, Layers
from atlas.pipeline import build_site
from atlas.publish.outputs.geotiff import write_geotiff
from atlas.publish.site.index_text import page_text
from atlas.publish.site.map import build_map, index_chrome, render_index
from atlas.publish.site.page import AtlasPage
from atlas.publish.site.site_table import DATA_FILE, site_data

REPO = Path(__file__).resolve().parents[3]

PROBES = (
    "{{7*7}}",
    "{% raw %}",
    "{#",
    "{{ cycler.__init__.__globals__.os.getpid() }}",
)
PROBE = " ".join(PROBES)


def probe(tag: str) -> str:
    """A field value: a tag naming the field, then every probe."""
    return f"@{tag}@ {PROBE}"


_TAG = re.compile(r"@([A-Za-z0-9_.\[\]]+)@")


def shown_tags(text: str) -> set[str]:
    """The tags found in ``text``, after checking that every one is followed by the probes
    exactly as written (an evaluated or parsed probe would differ). Names shown as labels
    have their underscores written as spaces ("yellow_river" as "yellow river")."""
    literal = {" " + PROBE, " " + PROBE.replace("_", " ")}
    tags = set()
    for match in _TAG.finditer(text):
        following = text[match.end() : match.end() + 1 + len(PROBE)]
        assert following in literal, f"{match.group(1)} was changed: {following!r}"
        tags.add(match.group(1))
    return tags


def _probed(frame: pd.DataFrame, layer: str, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = [probe(f"{layer}.{column}.{i}") for i in range(len(frame))]
    return frame


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        column
        for column in frame.columns
        if column not in {"geometry", "record_url"}
        and frame[column].map(lambda value: isinstance(value, str)).any()
    ]


def _probed_layers() -> Layers:
    frames = make_layer_frames().items()
    return Layers(**{name: _probed(frame, name, _text_columns(frame)) for name, frame in frames})


def _index_page(layers: Layers) -> AtlasPage:
    """The index page around the map of ``layers``, not yet rendered."""
    text = page_text(layers, tiles=False)
    page = AtlasPage("index.html", index_chrome(text, frozenset()), page=text, screening_label=None)
    page.add_child(build_map(layers, text=text))
    return page


@pytest.mark.parametrize("embed", [False, True])
def test_every_layer_text_shows_literally_on_the_page(embed):
    layers = _probed_layers()
    html = render_index(layers, embed=embed)
    shown = {tag.split(".")[0] for tag in shown_tags(html)}
    assert shown >= {"sites", "tailings_pond", "observations"}
    data = json.dumps(site_data(layers.usgs_sites, layers.sites), ensure_ascii=False)
    assert {tag.split(".")[0] for tag in shown_tags(data)} == {"sites", "usgs_sites"}


def test_every_way_of_rendering_keeps_data_literal():
    page = _index_page(_probed_layers())
    assert shown_tags(page.render())  # the curated sites, pond and observations
    assert shown_tags(page._repr_html_().replace("&quot;", '"'))


def test_pages_rendered_in_threads_keep_data_literal_and_branca_works_after():
    pages = [_index_page(_probed_layers()) for _ in range(8)]  # a page is rendered by one thread
    with ThreadPoolExecutor(max_workers=4) as pool:
        htmls = list(pool.map(AtlasPage.render_numbered, pages))
    for html in htmls:
        assert shown_tags(html)
    assert Element("{{ 6 * 7 }}").render() == "42"  # branca, outside a page, as it was


SCENARIO = """
schema_version = 1
name = "probe"
title = {title}
description = {description}
crs = "EPSG:32649"
start_year = 2000
[grid]
bounds_m = [388000, 4496000, 391000, 4497500]
cell_size_m = 100.0
[aquifer]
effective_porosity = 0.25
thickness_m = 10.0
hydraulic_conductivity_m_per_day = {raster}
longitudinal_dispersivity_m = 100.0
transverse_dispersivity_m = 10.0
[flow]
velocity_m_per_yr = 150.0
direction_deg = 90.0
[[source]]
name = {source}
label = {slabel}
geometry = "POLYGON ((388300 4496500, 388700 4496500, 388700 4497000, 388300 4496500))"
concentration_mg_per_l = 1000.0
[[receptor]]
name = {receptor}
label = {rlabel}
geometry = "LINESTRING (390000 4496000, 390000 4497500)"
thresholds_mg_per_l = [10.0]
[output]
times_yr = [5, 10]
[provenance]
"aquifer.effective_porosity" = {porosity}
"flow" = {flow}
"description" = {context}
"""


def _probed_root(root: Path) -> Path:
    """A data root: the shipped layers with every text field probed, and a probed scenario."""
    (root / "layers").mkdir(parents=True)
    for name, spec in LAYERS.items():
        source = REPO / "layers" / spec.filename
        target = root / "layers" / spec.filename
        columns = [column for column, kind in spec.columns.items() if kind == "text"]
        if spec.filename.endswith(".csv"):
            frame = pd.read_csv(source, dtype=str, keep_default_na=False)
            _probed(frame, name, columns).to_csv(target, index=False)
        else:
            frame = gpd.read_file(source)
            pyogrio.write_dataframe(_probed(frame, name, columns), target)
    for extra in (REPO / "layers").iterdir():
        if not (root / "layers" / extra.name).exists():
            shutil.copy(extra, root / "layers" / extra.name)
    (root / "scenarios").mkdir()
    raster = root / "scenarios" / f"{probe('file')}.tif"
    grid = Grid(388000.0, 4496000.0, 100.0, 30, 15, CRS.from_epsg(32649))
    write_geotiff(raster, grid, np.full(grid.shape, 5.0), tags={"units": "m/d"})
    fields = {
        field: json.dumps(probe(f"sc.{field}"))  # names stay under 80 characters, kept as is
        for field in (
            "description",
            "title",
            "source",
            "receptor",
            "slabel",
            "rlabel",
            "porosity",
            "flow",
            "context",
        )
    }
    fields["raster"] = json.dumps(raster.name)
    scenario = root / "scenarios" / f"{probe('file')}.toml"
    scenario.write_text(SCENARIO.format(**fields), encoding="utf-8")
    return root


@pytest.mark.slow
def test_a_build_with_probes_in_every_field_succeeds_and_shows_them_literally(tmp_path):
    root = _probed_root(tmp_path / "root")
    page = build_site(root, tmp_path / "site", cache_dir=tmp_path / "cache")
    html = page.read_text(encoding="utf-8")
    scenario_pages = sorted((page.parent / "scenarios").glob("*/*.html"))
    assert scenario_pages, "the probed scenario has its page and embed"
    texts = [path.read_text(encoding="utf-8") for path in scenario_pages]
    shown = shown_tags(
        "".join([html, (page.parent / DATA_FILE).read_text(encoding="utf-8"), *texts])
    )
    layers_shown = {tag.split(".")[0] for tag in shown}
    assert layers_shown >= {"sites", "usgs_sites", "tailings_pond", "observations", "sc"}
    assert {tag for tag in shown if tag.startswith("sc.")} >= {  # pages show labels, not names
        "sc.description",
        "sc.title",
        "sc.slabel",
        "sc.rlabel",
        "sc.porosity",
        "sc.context",
    }
    assert "file" in shown  # the conductivity raster's file name
    plume = tmp_path / "site" / "plumes" / "probe"
    summary = shown_tags((plume / "summary.json").read_text("utf-8"))
    assert summary >= {"sc.description", "sc.receptor"}  # the data keep the names
    with xr.open_dataset(plume / "concentration.nc") as dataset:
        assert shown_tags(dataset.attrs["description"]) == {"sc.description"}
