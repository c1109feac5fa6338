"""The GeoPackage export read back with pyogrio, geopandas, rasterio and SQLite: layers, CRS,
geometry types, rows, columns, raster values, styles, metadata, determinism and atomicity.

Everything runs on the shipped layers and two tiny scenarios (export_root.py).
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from export_root import write_root

from atlas.errors import OutputError
from atlas.load import load_layers
from atlas.load.sources import UNDOCUMENTED
from atlas.publish.outputs.geopackage import FIXED_TIMESTAMP, write_geopackage
from atlas.publish.outputs.geotiff import GEOTIFF_NODATA
from atlas.publish.outputs.gpkg_metadata import PROVENANCE_URI, QGIS_METADATA_URI
from atlas.publish.site.legend import SYMBOLS
from atlas.result import MODELLED_LABEL
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from atlas.screening import screening_sites
from atlas.screening_priors import DEFAULT_PRIORS
from atlas.tasks import export_contents_of

DATA_LAYERS = [
    "sites",
    "usgs_sites",
    "rivers_10m",
    "rivers_50m",
    "lakes_10m",
    "lakes_50m",
    "countries",
    "towns",
    "tailings_pond",
    "observations",
]
PLUME_LAYERS = [
    "plume_isochrones",
    "plume_receptors_points",
    "plume_receptors_lines",
    "plume_sources_polygons",
    "plume_probability_isochrones",
]
TABLES = ["context_facts", "screening_priors", "plume_arrival_quantiles", "layer_styles"]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_root(tmp_path_factory.mktemp("export") / "root")


@pytest.fixture(scope="module")
def contents(root, tiny_ensemble):
    return export_contents_of(root, ensembles=[tiny_ensemble])


@pytest.fixture(scope="module")
def gpkg(contents, tmp_path_factory):
    return write_geopackage(tmp_path_factory.mktemp("gpkg") / "atlas.gpkg", contents)


@pytest.fixture(scope="module")
def baotou(root):
    """The baotou scenario run here, apart from the export's own results."""
    return run_scenario(load_scenario(root / "scenarios" / "baotou.toml", root=root))


def _query(path, sql, *params):
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, params).fetchall()


def _rasters(contents):
    return {raster.name: raster for raster in contents.rasters}


def test_every_layer_and_table_is_listed_with_its_geometry_type(gpkg):
    layers = dict(pyogrio.list_layers(gpkg))
    assert list(layers) == [*DATA_LAYERS, "screening", *PLUME_LAYERS, *TABLES]
    assert layers["screening"] == "Point"
    assert layers["plume_probability_isochrones"] in {"Polygon", "MultiPolygon"}
    wells = pyogrio.read_dataframe(gpkg, layer="plume_receptors_points")
    assert list(wells["receptor"]) == ["well"]
    assert layers["sites"] == "Point"
    assert layers["rivers_10m"] == "MultiLineString"
    assert layers["countries"] == "MultiPolygon"
    assert layers["tailings_pond"] == "Polygon"
    assert layers["plume_isochrones"] in {"Polygon", "MultiPolygon"}
    assert layers["plume_receptors_lines"] == "LineString"
    assert layers["plume_receptors_points"] == "Point"
    assert layers["plume_sources_polygons"] == "Polygon"
    assert layers["context_facts"] is None


def test_vector_layers_read_back_equal_the_export_in_memory(gpkg, contents):
    for layer in contents.layers:
        stored = pyogrio.read_dataframe(gpkg, layer=layer.name)
        assert list(stored.columns) == list(layer.frame.columns), layer.name
        assert len(stored) == len(layer.frame), layer.name
        if not layer.has_geometry:
            pd.testing.assert_frame_equal(
                pd.DataFrame(stored), pd.DataFrame(layer.frame), check_dtype=False
            )
            continue
        assert stored.crs.to_epsg() == 4326, layer.name
        attributes = [c for c in layer.frame.columns if c != "geometry"]
        pd.testing.assert_frame_equal(
            pd.DataFrame(stored[attributes]),
            pd.DataFrame(layer.frame[attributes]),
            check_dtype=False,
            obj=layer.name,
        )
        expected = layer.frame.geometry.reset_index(drop=True)
        assert stored.geometry.isna().equals(expected.isna()), layer.name
        present = expected.notna()
        assert stored.geometry[present].geom_equals_exact(expected[present], 1e-12).all()


def test_sites_carry_their_joined_fields_and_rows_stay_in_order(gpkg, contents):
    sites = gpd.read_file(gpkg, layer="sites")
    for column in ("nearest_river_name", "nearest_river_distance_m", "country_name",
                   "nearest_town_name", "nearest_town_distance_m", "distance_crs"):  # fmt: skip
        assert column in sites.columns
    assert list(sites["name"]) == list(contents.layers[0].frame["name"])
    assert _query(gpkg, "SELECT min(fid), max(fid), count(*) FROM sites") == [(1, 35, 35)]


def test_isochrones_equal_the_results_sorted_by_scenario_threshold_and_time(gpkg, baotou):
    stored = gpd.read_file(gpkg, layer="plume_isochrones")
    assert set(stored["scenario"]) == {"baotou", "far-away"}
    keys = stored[["scenario", "threshold_mg_per_l", "time_yr"]]
    assert keys.equals(keys.sort_values(list(keys.columns)).reset_index(drop=True))
    mine = stored[stored["scenario"] == "baotou"].reset_index(drop=True)
    expected = baotou.isochrones.sort_values(["threshold_mg_per_l", "time_yr"])
    expected = expected.reset_index(drop=True)
    assert len(mine) == len(expected) > 0
    np.testing.assert_allclose(mine["area_m2"], expected["area_m2"])
    assert (mine["modelled"] == MODELLED_LABEL).all()
    assert mine.geometry.geom_equals_exact(expected.geometry, 1e-9).all()


def test_receptors_and_sources_carry_their_names_and_the_labels_pages_show(gpkg, baotou):
    receptors = gpd.read_file(gpkg, layer="plume_receptors_lines")
    sources = gpd.read_file(gpkg, layer="plume_sources_polygons")
    mine = receptors[receptors["scenario"] == "baotou"]
    assert mine[["receptor", "label"]].values.tolist() == [["river", "Test River"]]
    mine = sources[sources["scenario"] == "baotou"]
    assert mine[["source", "label"]].values.tolist() == [["pond", "pond"]]  # no label: its name


def test_every_vector_table_has_an_rtree_index(gpkg):
    indexed = {
        table
        for (table,) in _query(
            gpkg, "SELECT table_name FROM gpkg_extensions WHERE extension_name = ?",
            "gpkg_rtree_index",
        )
    }  # fmt: skip
    assert indexed == {*DATA_LAYERS, "screening", *PLUME_LAYERS}
    for table in indexed:
        assert _query(gpkg, "SELECT count(*) FROM sqlite_master WHERE name = ?",
                      f"rtree_{table}_geom") == [(1,)]  # fmt: skip


def test_rasters_are_float32_gridded_coverages_in_the_scenario_crs(gpkg, contents):
    rows = _query(
        gpkg,
        "SELECT c.table_name, c.srs_id, a.datatype, a.data_null, a.uom, a.grid_cell_encoding "
        "FROM gpkg_contents c JOIN gpkg_2d_gridded_coverage_ancillary a "
        "ON a.tile_matrix_set_name = c.table_name WHERE c.data_type = '2d-gridded-coverage' "
        "ORDER BY c.table_name",
    )
    rasters = _rasters(contents)
    assert [row[0] for row in rows] == sorted(rasters)
    for name, srs_id, datatype, data_null, uom, encoding in rows:
        assert (srs_id, datatype, data_null) == (32649, "float", GEOTIFF_NODATA)
        assert uom == rasters[name].units
        assert encoding == "grid-value-is-area"
    assert _query(gpkg, "SELECT organization, organization_coordsys_id FROM "
                  "gpkg_spatial_ref_sys WHERE srs_id = 32649") == [("EPSG", 32649)]  # fmt: skip
    names = set(rasters)
    assert {"baotou_head_m", "baotou_velocity_magnitude_m_per_yr",
            "baotou_concentration_mg_per_l_02_20p5yr", "far_away_head_m"} <= names  # fmt: skip


def test_raster_values_equal_the_result_within_float32_rounding(gpkg, baotou):
    grid, dataset = baotou.scenario.grid, baotou.dataset
    expected = {
        "baotou_head_m": dataset["head_m"].values,
        "baotou_velocity_magnitude_m_per_yr": np.hypot(
            dataset["velocity_x_m_per_yr"].values, dataset["velocity_y_m_per_yr"].values
        ),
        **{
            f"baotou_concentration_mg_per_l_{k:02d}_{label}": dataset["concentration"]
            .isel(time_yr=k)
            .values
            for k, label in enumerate(["5yr", "10yr", "20p5yr"])
        },
    }
    for table, values in expected.items():
        with rasterio.open(gpkg, table=table) as raster:
            assert raster.crs.to_epsg() == 32649
            assert raster.transform.almost_equals(grid.transform)
            assert (raster.height, raster.width) == grid.shape
            assert raster.dtypes == ("float32",)
            assert raster.nodata == GEOTIFF_NODATA
            stored = raster.read(1)
        np.testing.assert_array_equal(stored, values.astype(np.float32), err_msg=table)
    assert expected["baotou_concentration_mg_per_l_02_20p5yr"].max() > 10.0  # a real plume


def test_every_table_has_a_description_in_gpkg_contents(gpkg, contents):
    described = dict(_query(gpkg, "SELECT table_name, description FROM gpkg_contents"))
    for item in contents.items():
        assert described[item.name] == item.description
    for name in PLUME_LAYERS[:1] + [r.name for r in contents.rasters]:
        assert MODELLED_LABEL in described[name]


def _metadata(gpkg, uri):
    rows = _query(
        gpkg,
        "SELECT r.table_name, r.reference_scope, m.metadata, m.mime_type FROM "
        "gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
        "WHERE m.md_standard_uri = ?",
        uri,
    )
    return {table: (scope, text, mime) for table, scope, text, mime in rows}


def test_provenance_of_every_table_is_in_gpkg_metadata(gpkg, contents, baotou):
    documents = _metadata(gpkg, PROVENANCE_URI)
    assert set(documents) == {None, *contents.names()}
    assert documents[None][0] == "geopackage"
    for name in contents.names():
        scope, text, mime = documents[name]
        assert (scope, mime) == ("table", "application/json")
        record = json.loads(text)
        assert record["table"] == name
        assert record["atlas_version"]
        if name in DATA_LAYERS:
            assert record["retrieved"] == "2026-11-23"
            assert UNDOCUMENTED not in (record["licence"], record["source_and_processing"])
            assert record["modelled"] is None
    countries = json.loads(documents["countries"][1])
    assert "Natural Earth" in countries["licence"]
    head = json.loads(documents["baotou_head_m"][1])
    assert head["modelled"] == MODELLED_LABEL
    (scenario,) = head["scenarios"]
    assert scenario["inputs_sha256"] == baotou.inputs_sha256
    assert scenario["scenario"] == json.loads(baotou.scenario.document_json)
    assert scenario["assumptions"] == list(baotou.assumptions)
    assert head["style"] == {"table": "layer_styles", "style_name": "atlas baotou_head_m"}
    isochrones = json.loads(documents["plume_isochrones"][1])
    assert [s["name"] for s in isochrones["scenarios"]] == ["baotou", "far-away"]


def test_qgis_metadata_documents_parse_and_label_model_outputs(gpkg, contents):
    documents = _metadata(gpkg, QGIS_METADATA_URI)
    assert set(documents) == set(contents.names())
    for name, (_, text, mime) in documents.items():
        assert mime == "text/xml"
        document = ET.fromstring(text)
        assert document.findtext("identifier") == name
        if name.startswith(("plume_isochrones", "baotou_", "far_away_")):
            assert MODELLED_LABEL in document.findtext("abstract")
            assert "MODELLED" in document.findtext("title")


def _styles(gpkg):
    rows = _query(gpkg, "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault "
                  "FROM layer_styles ORDER BY id")  # fmt: skip
    return {table: (column, ET.fromstring(qml), default) for table, column, qml, default in rows}


def test_every_layer_and_raster_has_a_default_qgis_style(gpkg, contents):
    styles = _styles(gpkg)
    expected = [layer.name for layer in contents.layers if layer.has_geometry]
    assert list(styles) == [*expected, *(r.name for r in contents.rasters)]
    for name, (column, document, default) in styles.items():
        assert default == 1
        assert document.tag == "qgis"
        if name in expected:
            assert column == "geom"
            assert document.find("renderer-v2") is not None
        else:
            shader = document.find("pipe/rasterrenderer/rastershader/colorrampshader")
            assert len(shader.findall("item")) >= 2


def _options(symbol):
    return {o.get("name"): o.get("value") for o in symbol.iter("Option") if o.get("name")}


def test_sites_are_styled_with_the_site_colours_and_shapes(gpkg):
    _, document, _ = _styles(gpkg)["sites"]
    renderer = document.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    categories = {c.get("value"): symbols[c.get("symbol")] for c in renderer.iter("category")}
    for symbol in SYMBOLS:
        red, green, blue = (int(symbol.fill[k : k + 2], 16) for k in (1, 3, 5))
        for kind in symbol.kinds:
            options = _options(categories[kind])
            assert options["color"] == f"{red},{green},{blue},255"
            assert options["name"] == {"ring": "circle", "cross": "cross_fill"}.get(
                symbol.shape, symbol.shape
            )
    assert "" in categories  # every other kind


def test_isochrones_are_styled_by_threshold_lowest_dashed_and_hollow(gpkg):
    _, document, _ = _styles(gpkg)["plume_isochrones"]
    renderer = document.find("renderer-v2")
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    categories = [(c.get("value"), symbols[c.get("symbol")]) for c in renderer.iter("category")]
    assert [value for value, _ in categories] == ["10", "100"]  # 5000 mg/L is never reached
    lowest, higher = (_options(symbol) for _, symbol in categories)
    assert (lowest["style"], lowest["outline_style"]) == ("no", "dash")
    assert (higher["style"], higher["outline_style"]) == ("solid", "solid")
    assert lowest["outline_color"] != higher["outline_color"]


def test_every_timestamp_is_the_fixed_one(gpkg):
    stamps = {
        *(t for (t,) in _query(gpkg, "SELECT last_change FROM gpkg_contents")),
        *(t for (t,) in _query(gpkg, "SELECT timestamp FROM gpkg_metadata_reference")),
    }
    assert stamps == {FIXED_TIMESTAMP}
    (styles,) = _query(gpkg, "SELECT DISTINCT update_time FROM layer_styles")
    assert styles[0].startswith(FIXED_TIMESTAMP[:19])


def test_two_exports_are_byte_identical(gpkg, contents, tmp_path):
    again = write_geopackage(tmp_path / "again.gpkg", contents)
    assert again.read_bytes() == gpkg.read_bytes()


def test_an_export_replaces_an_earlier_one_and_leaves_nothing_beside_it(contents, tmp_path):
    target = tmp_path / "atlas.gpkg"
    write_geopackage(target, contents)
    write_geopackage(target, contents)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.gpkg"]


@pytest.mark.parametrize(
    ("name", "setup", "message"),
    [
        ("atlas.txt", None, "ending in .gpkg"),
        ("folder.gpkg", "folder", "is a folder"),
        ("notes.gpkg", "text", "not a GeoPackage"),
        ("db.gpkg", "sqlite", "not a GeoPackage"),
    ],
)
def test_bad_targets_are_refused_and_left_alone(contents, tmp_path, name, setup, message):
    target = tmp_path / name
    if setup == "folder":
        target.mkdir()
    elif setup == "text":
        target.write_text("my notes", encoding="utf-8")
    elif setup == "sqlite":
        with sqlite3.connect(target) as connection:
            connection.execute("CREATE TABLE mine (x)")
    before = target.read_bytes() if target.is_file() else None
    with pytest.raises(OutputError, match=message):
        write_geopackage(target, contents)
    if before is not None:
        assert target.read_bytes() == before


def test_an_unwritable_folder_is_an_output_error(contents, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="writable folder"):
        write_geopackage(blocker / "atlas.gpkg", contents)


def test_exceedance_probability_rasters_equal_the_ensemble_within_float32(
    gpkg, contents, tiny_ensemble
):
    probability = tiny_ensemble.dataset["exceedance_probability"]
    names = [r.name for r in contents.rasters if r.name.startswith("strip_exceedance")]
    assert len(names) == probability.sizes["threshold_mg_per_l"] * probability.sizes["time_yr"]
    for threshold in probability["threshold_mg_per_l"].values:
        for k, time_yr in enumerate(probability["time_yr"].values):
            table = f"strip_exceedance_probability_{threshold:g}mg_per_l_{k:02d}_{time_yr:g}yr"
            with rasterio.open(gpkg, table=table) as raster:
                stored = raster.read(1)
            expected = probability.sel(threshold_mg_per_l=threshold, time_yr=time_yr).values
            np.testing.assert_array_equal(stored, expected.astype(np.float32), err_msg=table)
    assert probability.max() > 0.5  # a real plume, likely somewhere
    _, document, _ = _styles(gpkg)[names[0]]
    items = document.findall("pipe/rasterrenderer/rastershader/colorrampshader/item")
    assert (float(items[0].get("value")), float(items[-1].get("value"))) == (0.0, 1.0)


def test_probability_isochrones_and_arrival_quantiles_are_the_ensembles(gpkg, tiny_ensemble):
    stored = gpd.read_file(gpkg, layer="plume_probability_isochrones")
    expected = tiny_ensemble.isochrones
    assert len(stored) == len(expected) > 0
    for column in ("threshold_mg_per_l", "probability", "time_yr", "area_m2"):
        np.testing.assert_array_equal(stored[column], expected[column])
    _, document, _ = _styles(gpkg)["plume_probability_isochrones"]
    renderer = document.find("renderer-v2")
    assert renderer.get("attr") == "probability"
    assert {c.get("value") for c in renderer.iter("category")} == {"0.05", "0.5", "0.95"}
    table = pyogrio.read_dataframe(gpkg, layer="plume_arrival_quantiles")
    dataset = tiny_ensemble.dataset
    assert len(table) == dataset.sizes["receptor"] * dataset.sizes["threshold_mg_per_l"]
    row = table.iloc[0]
    where = {"receptor": row["receptor"], "threshold_mg_per_l": row["threshold_mg_per_l"]}
    quantiles = dataset["arrival_quantile_yr"].sel(where).values
    np.testing.assert_allclose(
        row[["arrival_yr_p05", "arrival_yr_p25", "arrival_yr_p50", "arrival_yr_p75",
             "arrival_yr_p95"]].to_numpy(float), quantiles)  # fmt: skip
    assert row["kept"] == tiny_ensemble.kept
    assert row["modelled"] == MODELLED_LABEL


def test_the_screening_layer_holds_every_site_with_its_priors(gpkg, root):
    screening = gpd.read_file(gpkg, layer="screening")
    sites = screening_sites(load_layers(root))
    assert len(sites) > 2000
    assert sorted(screening["site_id"]) == sorted(sites["site_id"])
    keys = screening[["dataset", "site_id"]]
    assert keys.equals(keys.sort_values(list(keys.columns), kind="stable").reset_index(drop=True))
    found = screening[screening["distance_m"].notna()]
    assert len(found) > 0.99 * len(screening)
    assert found["p_reach_500yr"].ge(found["p_reach_50yr"]).all()
    assert screening["modelled"].str.startswith("MODELLED").all()
    priors = pyogrio.read_dataframe(gpkg, layer="screening_priors")
    pd.testing.assert_frame_equal(pd.DataFrame(priors), DEFAULT_PRIORS.table(), check_dtype=False)
    _, document, _ = _styles(gpkg)["screening"]
    assert "p_reach_100yr" in document.find("renderer-v2").get("attr")
    record = json.loads(_metadata(gpkg, PROVENANCE_URI)["screening"][1])
    assert record["modelled"] == MODELLED_LABEL
    assert "Wexler" in record["model"]
    assert "screening_priors" in record["model"]
