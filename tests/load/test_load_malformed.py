"""Malformed layer files fail with an AtlasError naming the file, the row or field, and the fix."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from layerfiles import SITE_COLUMNS, site_row, square, write_geojson, write_sites_csv

from atlas.errors import AtlasError, CRSPolicyError, LayerError
from atlas.load import LAYERS, read_layer, read_table, read_vector
from atlas.load.read import MAX_REPORTED_PROBLEMS

SITES = LAYERS["sites"]
LAKES = LAYERS["lakes_50m"]
RIVERS = LAYERS["rivers_50m"]
OBSERVATIONS = LAYERS["observations"]
LAKE_PROPS = {"scalerank": 3, "featurecla": "Lake"}


def _raises(error: type[AtlasError], path: Path, spec, *, reader=read_vector) -> str:
    """Read ``path`` expecting ``error``; return its message after checking it names the file."""
    with pytest.raises(error) as caught:
        reader(path, spec)
    message = str(caught.value)
    assert caught.value.path == str(path)
    assert message.startswith(str(path))
    return message


def test_bad_json_names_the_file(tmp_path):
    path = tmp_path / "lakes.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    message = _raises(LayerError, path, LAKES)
    assert "cannot be read as a vector layer" in message


def test_missing_column_is_named_with_the_columns_found(tmp_path):
    columns = [c for c in SITE_COLUMNS if c != "kind"]
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("Foo")], columns)
    message = _raises(LayerError, path, SITES)
    assert "column 'kind': required text column is missing" in message
    assert "'commodity'" in message


def test_latitude_out_of_range_names_row_and_record(tmp_path):
    rows = [site_row("A"), site_row("B"), site_row("Foo", lon=109.0, lat=123.0)]
    path = write_sites_csv(tmp_path / "sites.csv", rows)
    message = _raises(LayerError, path, SITES)
    assert "row 3 ('Foo'): lat 123.0 is outside [-90, 90]; fix the value or swap lon/lat" in message


def test_longitude_out_of_range_in_a_vector_file(tmp_path):
    path = write_geojson(tmp_path / "lakes.geojson", [("Far", square(181.0, 10.0))], LAKE_PROPS)
    message = _raises(LayerError, path, LAKES)
    assert "row 1 ('Far'): lon 181.1 is outside [-180, 180]" in message


def test_empty_geometry_names_the_row(tmp_path):
    features = [("Good", square(10, 10)), ("Hollow", {"type": "Polygon", "coordinates": []})]
    path = write_geojson(tmp_path / "lakes.geojson", features, LAKE_PROPS)
    message = _raises(LayerError, path, LAKES)
    assert "row 2 ('Hollow'): has an empty geometry" in message
    assert "'Good'" not in message


def test_self_intersecting_polygon_is_invalid(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    path = write_geojson(tmp_path / "lakes.geojson", [("Bowtie", bowtie)], LAKE_PROPS)
    message = _raises(LayerError, path, LAKES)
    assert "row 1 ('Bowtie'): invalid geometry (Self-intersection" in message
    assert "make_valid" in message


def test_file_without_crs_is_a_crs_error_saying_how_to_set_it(tmp_path):
    path = tmp_path / "lakes.gpkg"
    frame = gpd.GeoDataFrame(
        {"name": ["NoCRS"], **{k: [v] for k, v in LAKE_PROPS.items()}},
        geometry=[shapely.box(0, 0, 1, 1)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyogrio warns that no CRS is written
        frame.to_file(path, layer="lakes_50m")
    message = _raises(CRSPolicyError, path, LAKES)
    assert "declares no CRS" in message
    assert "set_crs" in message


def test_wrong_geometry_type_names_the_row_and_allowed_types(tmp_path):
    point = {"type": "Point", "coordinates": [10.0, 10.0]}
    path = write_geojson(tmp_path / "lakes.geojson", [("Dot", point)], LAKE_PROPS)
    message = _raises(LayerError, path, LAKES)
    assert "row 1 ('Dot'): geometry type 'Point' is not allowed in layer 'lakes_50m'" in message
    assert "'MultiPolygon', 'Polygon'" in message


def test_non_numeric_longitude_names_row_column_and_value(tmp_path):
    rows = [site_row("A"), site_row("Foo", lon="109,5 E")]
    path = write_sites_csv(tmp_path / "sites.csv", rows)
    message = _raises(LayerError, path, SITES)
    assert "row 2 ('Foo'), column 'lon': expected a number" in message
    assert "found '109,5 E'" in message


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "sites.csv"
    message = _raises(LayerError, path, SITES)
    assert "file not found" in message


@pytest.mark.parametrize("filename", ["sites.csv", "sites.geojson"])
def test_empty_file_is_named(tmp_path, filename):
    path = tmp_path / filename
    path.write_bytes(b"")
    message = _raises(LayerError, path, SITES)
    assert "the file is empty (0 bytes)" in message


def test_duplicate_name_points_at_the_first_row(tmp_path):
    rows = [site_row("Mount Weld"), site_row("Other"), site_row("Mount Weld")]
    path = write_sites_csv(tmp_path / "sites.csv", rows)
    message = _raises(LayerError, path, SITES)
    assert "row 3 ('Mount Weld'), column 'name': 'Mount Weld' repeats row 1" in message


def test_blank_name_is_rejected(tmp_path):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("A"), site_row("   ")])
    message = _raises(LayerError, path, SITES)
    assert "row 2, column 'name': is blank" in message


def test_only_one_of_lon_lat_is_an_error(tmp_path):
    path = write_sites_csv(tmp_path / "sites.csv", [site_row("Half", lat="")])
    message = _raises(LayerError, path, SITES)
    assert "row 1 ('Half'), columns 'lon'/'lat': only one of lon and lat is given" in message


def test_bad_boolean_names_column_and_value(tmp_path):
    row = dict.fromkeys(OBSERVATIONS.columns, "x")
    row.update(id="obs1", lon="", lat="", location_is_approximate="maybe")
    path = write_sites_csv(tmp_path / "observations.csv", [row], list(row))
    message = _raises(LayerError, path, OBSERVATIONS)
    assert "row 1 ('x'), column 'location_is_approximate': expected true or false" in message
    assert "found 'maybe'" in message


def test_null_geometry_where_every_row_needs_one(tmp_path):
    props = {"name_en": "", "scalerank": 1, "featurecla": "River"}
    path = write_geojson(tmp_path / "rivers.geojson", [("Somewhere", None)], props)
    message = _raises(LayerError, path, RIVERS)
    assert "row 1 ('Somewhere'): has no geometry" in message


def test_every_row_problem_is_reported_at_once(tmp_path):
    rows = [site_row("A", lat=123.0), site_row("B"), site_row("C", lon="abc"), site_row("A")]
    path = write_sites_csv(tmp_path / "sites.csv", rows)
    with pytest.raises(LayerError) as caught:
        read_vector(path, SITES)
    wheres = [problem.where for problem in caught.value.problems]
    assert wheres == ["row 3 ('C'), column 'lon'", "row 4 ('A'), column 'name'", "row 1 ('A')"]
    assert "3 problems" in str(caught.value)


def test_very_many_problems_are_capped_with_a_count(tmp_path):
    rows = [site_row(f"S{i}", lat=100.0) for i in range(MAX_REPORTED_PROBLEMS + 7)]
    path = write_sites_csv(tmp_path / "sites.csv", rows)
    with pytest.raises(LayerError) as caught:
        read_vector(path, SITES)
    assert len(caught.value.problems) == MAX_REPORTED_PROBLEMS + 1
    assert "and 7 more problems not listed" in str(caught.value)


def test_csv_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(",".join(SITE_COLUMNS).encode() + b"\nCaf\xe9,x,x,x,1,2,x,x\n")
    message = _raises(LayerError, path, SITES)
    assert "is not UTF-8 text" in message


def test_geopackage_with_several_layers_and_none_matching(tmp_path):
    path = tmp_path / "lakes.gpkg"
    frame = gpd.GeoDataFrame(
        {"name": ["L"], **{k: [v] for k, v in LAKE_PROPS.items()}},
        geometry=[shapely.box(0, 0, 1, 1)],
        crs=4326,
    )
    frame.to_file(path, layer="first")
    frame.to_file(path, layer="second")
    message = _raises(LayerError, path, LAKES)
    assert "holds 2 layers ['first', 'second'] and none is named 'lakes_50m'" in message


def test_table_missing_column_is_named(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("fact_id,topic\nf1,supply\n", encoding="utf-8")
    message = _raises(LayerError, path, LAYERS["context_facts"], reader=read_table)
    assert "column 'statement': required text column is missing" in message


def test_unknown_layer_name_lists_the_known_ones(repo_root):
    with pytest.raises(LayerError) as caught:
        read_layer("volcanoes", repo_root)
    assert "'volcanoes'" in str(caught.value)
    assert "'sites'" in str(caught.value)


def test_read_layer_names_the_missing_file_in_the_root(tmp_path):
    (tmp_path / "layers").mkdir()
    with pytest.raises(LayerError) as caught:
        read_layer("towns", tmp_path)
    assert str(tmp_path / "layers" / "towns.gpkg") in str(caught.value)
