"""The GeoPackage export is safe: text with SQL and XML metacharacters comes back literally,
an export killed midway leaves the earlier file valid and unchanged, and GDAL's own tools
(``ogrinfo``, ``gdalinfo``, ``validate_gpkg.py``) accept the file without a warning.

The GDAL tools come from Debian (``gdal-bin``, ``python3-gdal``), installed by ``make gdal``
(part of ``make test``); a missing tool fails here, never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from export_root import NASTY, write_root

from atlas.publish.outputs.geopackage import write_geopackage
from atlas.publish.outputs.gpkg_metadata import PROVENANCE_URI, QGIS_METADATA_URI
from atlas.publish.outputs.xml import render_xml
from atlas.tasks import export_contents_of

VALIDATE_GPKG = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
"""GDAL's GeoPackage validator, as Debian's python3-gdal installs it."""

INSTALL = "install GDAL's tools with `make gdal` (apt-get install gdal-bin python3-gdal)"


@pytest.fixture(scope="module")
def nasty_export(tmp_path_factory):
    root = write_root(tmp_path_factory.mktemp("nasty") / "root", nasty=True)
    contents = export_contents_of(root)
    return contents, write_geopackage(root / "atlas.gpkg", contents)


def test_layer_text_with_sql_and_xml_metacharacters_round_trips(nasty_export):
    contents, gpkg = nasty_export
    sites = gpd.read_file(gpkg, layer="sites")
    last = sites.iloc[-1]
    assert [last[c] for c in ("name", "kind", "country", "source", "notes")] == [NASTY] * 5
    receptors = gpd.read_file(gpkg, layer="plume_receptors_lines")
    assert NASTY in set(receptors["receptor"])
    assert NASTY in set(receptors["label"])
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert sorted(names) == sorted([layer.name for layer in contents.layers] + ["layer_styles"])


def test_scenario_text_with_metacharacters_is_escaped_in_metadata(nasty_export):
    _, gpkg = nasty_export
    with sqlite3.connect(gpkg) as connection:
        rows = connection.execute(
            "SELECT m.md_standard_uri, m.metadata FROM gpkg_metadata m JOIN "
            "gpkg_metadata_reference r ON r.md_file_id = m.id WHERE r.table_name = ?",
            ("baotou_head_m",),
        ).fetchall()
    documents = dict(rows)
    record = json.loads(documents[PROVENANCE_URI])
    assert record["scenarios"][0]["description"] == NASTY
    qgis = ET.fromstring(documents[QGIS_METADATA_URI])
    assert qgis.findtext("identifier") == "baotou_head_m"
    abstract = ET.fromstring(documents[QGIS_METADATA_URI]).findtext("abstract")
    assert "MODELLED" in abstract


def test_xml_templates_escape_values_and_drop_characters_xml_cannot_hold():
    text = render_xml(
        "metadata.qmd",
        version="3.22.0",
        identifier=NASTY,
        parent="atlas",
        title="a\x00b\x1fc",
        abstract=NASTY,
        keywords=[NASTY],
        style_name=NASTY,
        style_url=NASTY,
        style_description=NASTY,
        history=[NASTY],
        licence=NASTY,
    )
    document = ET.fromstring(text)
    assert document.findtext("identifier") == NASTY
    assert document.findtext("title") == "abc"
    assert document.find("links/link").get("url") == NASTY
    assert document.findtext("keywords/keyword") == NASTY


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: {INSTALL}")
    return found


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def plain_export(tmp_path_factory, tiny_ensemble):
    root = write_root(tmp_path_factory.mktemp("plain") / "root")
    contents = export_contents_of(root, ensembles=[tiny_ensemble])
    gpkg = write_geopackage(tmp_path_factory.mktemp("tools") / "atlas.gpkg", contents)
    return root, contents, gpkg


def test_ogrinfo_lists_every_vector_table_without_a_warning(plain_export):
    _, contents, gpkg = plain_export
    result = _run(_tool("ogrinfo"), "-so", "-q", str(gpkg))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for layer in contents.layers:
        assert f": {layer.name} (" in result.stdout
    for layer in contents.layers:
        detail = _run(_tool("ogrinfo"), "-so", str(gpkg), layer.name)
        assert detail.returncode == 0, layer.name
        assert detail.stderr == "", layer.name
        assert f"Feature Count: {len(layer.frame)}" in detail.stdout


def test_gdalinfo_opens_every_raster_table_without_a_warning(plain_export):
    _, contents, gpkg = plain_export
    listing = _run(_tool("gdalinfo"), str(gpkg))
    assert listing.returncode == 0
    assert listing.stderr == ""
    for raster in contents.rasters:
        assert f"GPKG:{gpkg}:{raster.name}" in listing.stdout
        result = _run(_tool("gdalinfo"), f"GPKG:{gpkg}:{raster.name}")
        assert result.returncode == 0, raster.name
        assert result.stderr == "", raster.name
        assert "Type=Float32" in result.stdout
        assert "NoData Value=-9999" in result.stdout
        assert f"Unit Type: {raster.units}" in result.stdout


def test_gdal_geopackage_validator_reports_nothing(plain_export):
    _, _, gpkg = plain_export
    if not VALIDATE_GPKG.is_file():
        pytest.fail(f"{VALIDATE_GPKG} is missing: {INSTALL}")
    result = _run("/usr/bin/python3", str(VALIDATE_GPKG), str(gpkg))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


KILLED_EXPORT = """
import sys, time
from pathlib import Path
import atlas.publish.outputs.geopackage as geopackage
from atlas.tasks import export_contents_of

contents = export_contents_of(Path(sys.argv[1]), screening=False)
write_raster = geopackage._write_raster

def slow_raster(path, raster):
    write_raster(path, raster)
    Path(sys.argv[3]).write_text(str(path))   # midway: some rasters are written
    time.sleep(600)

geopackage._write_raster = slow_raster
geopackage.write_geopackage(Path(sys.argv[2]), contents)
"""


def test_an_export_killed_midway_leaves_the_earlier_file_valid_and_unchanged(
    plain_export, tmp_path
):
    root, contents, earlier = plain_export
    target = tmp_path / "atlas.gpkg"
    shutil.copyfile(earlier, target)
    before = target.read_bytes()
    midway = tmp_path / "midway"
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILLED_EXPORT), str(root), str(target), str(midway)]
    )
    try:
        deadline = time.monotonic() + 120
        while not midway.exists():
            assert child.poll() is None, "the export ended before it was killed"
            assert time.monotonic() < deadline, "the export never reached its rasters"
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == -signal.SIGKILL
    staged = Path(midway.read_text())
    assert staged.parent == target.parent  # written beside the target, not over it
    assert staged != target
    assert target.read_bytes() == before
    names = [name for name, _ in pyogrio.list_layers(target)]
    assert set(names) >= {layer.name for layer in contents.layers}
    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
