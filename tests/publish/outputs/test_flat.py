"""``atlas export --format geojson|csv|parquet DIR``: the GeoPackage's layers and columns, one
file per layer, the rasters as GeoTIFFs, the provenance in export.json; stable and atomic."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from export_root import write_root

from atlas.errors import OutputError
from atlas.publish.outputs.flat import FORMATS, MANIFEST, write_folder
from atlas.result import MODELLED_LABEL
from atlas.tasks import export_contents_of


@pytest.fixture(scope="module")
def contents(tmp_path_factory):
    return export_contents_of(write_root(tmp_path_factory.mktemp("flat") / "root"))


def _read(path, form):
    if form == "geojson":
        return pyogrio.read_dataframe(path)
    if form == "csv":
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    try:
        return gpd.read_parquet(path)
    except ValueError:  # a table without geometry
        return pd.read_parquet(path)


@pytest.mark.parametrize("form", FORMATS)
def test_every_layer_is_one_file_with_the_same_columns_and_rows(contents, tmp_path, form):
    out = tmp_path / form
    files = write_folder(out, contents, form)
    assert out / MANIFEST in files
    for layer in contents.layers:
        stored = _read(out / f"{layer.name}.{form}", form)
        assert len(stored) == len(layer.frame), layer.name
        columns = [c for c in layer.frame.columns if c != "geometry"]
        if form == "csv":
            expected = [*columns, "geometry_wkt"] if layer.has_geometry else columns
        elif form == "geojson" or layer.has_geometry:
            expected = [*columns, "geometry"]
        else:
            expected = columns
        assert list(stored.columns) == expected, layer.name
        if form == "parquet" and layer.has_geometry:
            assert stored.crs.to_epsg() == 4326
            assert stored.geometry.geom_equals_exact(layer.frame.geometry, 0).sum() == (
                layer.frame.geometry.notna().sum()
            )
    sites = _read(out / f"sites.{form}", form)
    assert list(sites["name"]) == list(contents.layers[0].frame["name"])


def test_rasters_and_provenance_come_with_the_files(contents, tmp_path):
    out = tmp_path / "csv"
    write_folder(out, contents, "csv")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert [item["file"] for item in manifest["layers"]] == [
        f"{layer.name}.csv" for layer in contents.layers
    ]
    head = next(r for r in manifest["rasters"] if r["table"] == "baotou_head_m")
    assert head["modelled"] == MODELLED_LABEL
    assert head["scenarios"][0]["inputs_sha256"]
    sites = manifest["layers"][0]
    assert sites["retrieved"] == "2026-11-23"
    raster = next(r for r in contents.rasters if r.name == "baotou_head_m")
    with rasterio.open(out / head["file"]) as tiff:
        assert tiff.crs.to_epsg() == 32649
        np.testing.assert_array_equal(tiff.read(1), raster.values.astype(np.float32))


def test_two_exports_are_identical_and_a_foreign_folder_is_refused(contents, tmp_path):
    first = write_folder(tmp_path / "a", contents, "geojson")
    second = write_folder(tmp_path / "b", contents, "geojson")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="refusing to replace"):
        write_folder(foreign, contents, "csv")
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep"


def test_every_file_comes_with_the_qgis_style_qgis_applies_by_itself(contents, tmp_path):
    out = tmp_path / "geojson"
    files = set(write_folder(out, contents, "geojson"))
    for layer in contents.layers:
        style = out / f"{layer.name}.qml"
        assert (style in files) == layer.has_geometry, layer.name
        if layer.has_geometry:
            assert ET.parse(style).getroot().find("renderer-v2") is not None, layer.name
    for raster in contents.rasters:
        style = out / "rasters" / f"{raster.name}.qml"
        assert style in files
        shader = ET.parse(style).getroot().find("pipe/rasterrenderer/rastershader")
        assert len(shader.findall("colorrampshader/item")) >= 2, raster.name
