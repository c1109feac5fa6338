"""write_result / read_result: CF NetCDF with CRS, north-up GeoTIFFs, isochrones in 4326;
atomic, stable, and read back into the same result."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
import xarray as xr
from shapely.geometry import shape

import atlas.publish.outputs as plume_outputs
from atlas.errors import OutputError
from atlas.publish.outputs import read_result, write_result
from atlas.publish.outputs.geotiff import GEOTIFF_NODATA
from atlas.scenario import load_scenario
from atlas.scenario.digest import inputs_sha256
from plume_cases import strip_scenario


@pytest.fixture(scope="module")
def written(plume_case, tmp_path_factory):
    scenario, result = plume_case
    out = tmp_path_factory.mktemp("plume") / "out"
    return scenario, result.dataset, out, write_result(result, out)


def test_the_expected_files_are_written(written):
    _, _, out, files = written
    assert [f.name for f in files] == [
        "concentration.nc",
        "concentration_00_2yr.tif",
        "concentration_01_6yr.tif",
        "concentration_02_10yr.tif",
        "isochrones.geojson",
        "quicklook_00_2yr.png",
        "quicklook_01_6yr.png",
        "quicklook_02_10yr.png",
        "quicklook_receptors.png",
        "summary.json",
    ]
    assert all(f.parent == out for f in files)


def test_netcdf_opens_with_its_crs_and_values(written):
    scenario, result, out, _ = written
    with xr.open_dataset(out / "concentration.nc", decode_coords="all") as stored:
        assert stored.rio.crs.to_epsg() == 32649
        assert stored["concentration"].encoding["grid_mapping"] == "spatial_ref"
        assert stored.attrs["inputs_sha256"] == inputs_sha256(scenario)
        np.testing.assert_allclose(
            stored["concentration"].values, result["concentration"].values, rtol=1e-6, atol=1e-30
        )
        assert list(stored["receptor"].values) == ["ditch"]


def test_gdal_reads_the_netcdf_as_qgis_does(written):
    # GDAL's netCDF driver is what QGIS opens the file with: CRS, north-up grid, one band per
    # output time, the values
    scenario, result, out, _ = written
    with rasterio.open(f'NETCDF:"{out / "concentration.nc"}":concentration') as layer:
        assert layer.crs.to_epsg() == 32649
        assert layer.transform.almost_equals(scenario.grid.transform)
        assert layer.count == result.sizes["time_yr"]
        assert layer.tags(1)["units"] == "mg/L"
        assert layer.tags(1)["modelled"].startswith("MODELLED")
        np.testing.assert_allclose(
            layer.read(), result["concentration"].values, rtol=1e-6, atol=1e-30
        )


def test_geotiffs_are_north_up_in_the_scenario_crs(written):
    scenario, result, out, _ = written
    with rasterio.open(out / "concentration_02_10yr.tif") as tiff:
        assert tiff.crs.to_epsg() == 32649
        assert tiff.transform == scenario.grid.transform
        assert tiff.transform.e < 0
        assert tiff.nodata == GEOTIFF_NODATA
        assert tiff.dtypes == ("float32",)
        assert tiff.tags()["units"] == "mg/L"
        band = tiff.read(1)
    np.testing.assert_allclose(band, result["concentration"].sel(time_yr=10).values, rtol=1e-6)


def test_isochrones_are_valid_nested_polygons_in_wgs84(written):
    _scenario, result, out, _ = written
    collection = json.loads((out / "isochrones.geojson").read_text())
    features = collection["features"]
    assert {
        (f["properties"]["threshold_mg_per_l"], f["properties"]["time_yr"]) for f in features
    } == {(t, y) for t in (1.0, 20.0) for y in (2.0, 6.0, 10.0)}
    polygons = {}
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.is_valid
        lon0, lat0, lon1, lat1 = geometry.bounds
        assert 111.0 < lon0 < lon1 < 111.01  # 500 km E in UTM 49N is 111 E
        assert 40.6 < lat0 < lat1 < 40.7
        props = feature["properties"]
        cells = np.count_nonzero(
            result["concentration"].sel(time_yr=props["time_yr"]).values
            >= props["threshold_mg_per_l"]
        )
        assert props["area_m2"] == cells * 400.0
        polygons[props["threshold_mg_per_l"], props["time_yr"]] = geometry
    wider, narrower = polygons[1.0, 10.0], polygons[20.0, 10.0]
    assert shapely.buffer(wider, 1e-6).contains(narrower)


def test_summary_holds_arrivals_budget_assumptions_and_the_hash(written):
    scenario, result, out, _ = written
    summary = json.loads((out / "summary.json").read_text())
    assert summary["inputs_sha256"] == inputs_sha256(scenario)
    assert [a["threshold_mg_per_l"] for a in summary["arrivals"]] == [1.0, 20.0]
    first = summary["arrivals"][0]
    expected = result["arrival_yr"].sel(receptor="ditch", threshold_mg_per_l=1.0).item()
    assert first["arrival_yr"] == pytest.approx(expected, abs=1e-3)
    assert first["arrival_calendar_year"] == pytest.approx(1965 + expected, abs=1e-3)
    assert summary["modelled"].startswith("MODELLED")
    assert summary["assumptions"]
    assert summary["output_times"][-1]["mass_in_kg"] > 0
    assert read_result(out, scenario) is not None


def test_outputs_are_byte_for_byte_deterministic(plume_case, written, tmp_path):
    _scenario, result = plume_case
    again = write_result(result, tmp_path / "again")
    for first, second in zip(written[3], again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_a_result_read_back_equals_the_one_written(plume_case, written):
    scenario, result = plume_case
    back = read_result(written[2], scenario)
    assert back is not None
    pd.testing.assert_frame_equal(back.arrivals, result.arrivals)
    pd.testing.assert_frame_equal(back.output_times, result.output_times)
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.isochrones), pd.DataFrame(result.isochrones), check_like=False
    )
    assert back.isochrones.crs == result.isochrones.crs
    assert back.source_flow == result.source_flow
    assert back.assumptions == result.assumptions
    assert back.inputs_sha256 == result.inputs_sha256 == inputs_sha256(scenario)
    xr.testing.assert_identical(
        back.dataset.drop_vars("concentration"), result.dataset.drop_vars("concentration")
    )
    expected = result.dataset["concentration"].astype(np.float32).astype(np.float64)
    xr.testing.assert_identical(back.dataset["concentration"], expected)


def test_a_result_read_back_is_written_to_the_same_bytes(plume_case, written, tmp_path):
    scenario, _ = plume_case
    back = read_result(written[2], scenario)
    assert back is not None
    again = write_result(back, tmp_path / "again")
    for first, second in zip(written[3], again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_changed_inputs_are_not_read(written):
    _scenario, _, out, _ = written
    document = strip_scenario(name="other")
    assert read_result(out, load_scenario(document)) is None


def test_a_damaged_folder_is_not_read(plume_case, tmp_path):
    scenario, result = plume_case
    out = tmp_path / "out"
    write_result(result, out)
    (out / "isochrones.geojson").write_text("{not json", encoding="utf-8")
    assert read_result(out, scenario) is None
    assert read_result(tmp_path / "missing", scenario) is None


def _rewritten_summary(out, change):
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (out / "summary.json").write_text(json.dumps(change(summary)), encoding="utf-8")


def test_a_cache_folder_is_trusted_only_when_it_holds_exactly_the_files_written(
    plume_case, strip, tmp_path
):
    scenario, result = plume_case
    out = tmp_path / "out"
    write_result(result, out)
    assert read_result(out, scenario) is not None
    _rewritten_summary(out, lambda summary: [1, 2])
    assert read_result(out, scenario) is None
    write_result(result, out)
    elsewhere = str(tmp_path / "elsewhere.nc")
    _rewritten_summary(out, lambda summary: {**summary, "files": [elsewhere]})
    assert read_result(out, scenario) is None
    write_result(result, out)
    other = tmp_path / "other"
    write_result(strip[1], other)
    (out / "concentration.nc").write_bytes((other / "concentration.nc").read_bytes())
    assert read_result(out, scenario) is None  # a NetCDF of other inputs


def test_a_failure_leaves_nothing_behind(plume_case, tmp_path, monkeypatch):
    _, result = plume_case

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plume_outputs, "_write_geotiffs", broken)
    with pytest.raises(RuntimeError):
        write_result(result, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_failure_keeps_the_previous_outputs(plume_case, tmp_path, monkeypatch):
    _, result = plume_case
    out = tmp_path / "out"
    write_result(result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(
        plume_outputs, "dump_json", lambda *a: (_ for _ in ()).throw(OSError("full"))
    )
    with pytest.raises(OutputError, match="cannot write the plume output"):
        write_result(result, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_foreign_folder_is_never_replaced(plume_case, tmp_path):
    _, result = plume_case
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="refusing to replace it"):
        write_result(result, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
