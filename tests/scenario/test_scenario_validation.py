"""A bad scenario gives one ScenarioError that names the key of every problem."""

from __future__ import annotations

import tracemalloc
from typing import Any

import hypothesis.strategies as st
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import given, settings
from scenario_documents import BASE, write_raster

from atlas.errors import ScenarioError
from atlas.scenario import HeadDrivenFlow, UniformFlow, inputs, load_scenario
from atlas.scenario.digest import inputs_sha256


def _problems(document: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document)
    return str(caught.value)


def test_valid_document_loads_with_documented_defaults(document):
    scenario = load_scenario(document)
    assert isinstance(scenario.flow, UniformFlow)
    assert scenario.aquifer.retardation == 1.0
    assert scenario.aquifer.half_life_yr is None
    assert scenario.grid.shape == (20, 40)
    assert scenario.horizon_yr == 20.0
    assert scenario.arrival_resolution_yr == pytest.approx(20.0 / 500)
    assert scenario.sources[0].end_yr is None
    assert scenario.receptors[0].thresholds_mg_per_l == (1.0, 10.0)
    assert "aquifer.thickness_m" in scenario.undocumented
    assert "aquifer.effective_porosity" not in scenario.undocumented
    assert scenario.solver.dispersion_order == 2


def test_a_solver_section_sets_the_dispersion_order_and_the_inputs_hash(document):
    """Asking for fourth-order dispersion is an input of the run: it changes the hash that
    decides whether a built result can be reused."""
    second = load_scenario(document)
    document["solver"] = {"dispersion_order": 4}
    fourth = load_scenario(document)
    assert fourth.solver.dispersion_order == 4
    assert inputs_sha256(fourth) != inputs_sha256(second)


def _set(path: str, value: Any):
    def mutate(document: dict[str, Any]) -> None:
        *parents, key = path.split("/")
        table = document
        for part in parents:
            table = table[int(part)] if part.isdigit() else table[part]
        if value is _DELETE:
            del table[key]
        else:
            table[key] = value

    return mutate


_DELETE = object()
_OUTSIDE = (
    "POLYGON ((500000 4500400, 500200 4500400, 500200 4500600, 500000 4500600, 500000 4500400))"
)
_ACROSS = (
    "POLYGON ((401900 4500400, 402200 4500400, 402200 4500600, 401900 4500600, 401900 4500400))"
)

BAD_CASES = {
    "missing key": (_set("aquifer/thickness_m", _DELETE), "aquifer.thickness_m: missing"),
    "wrong type": (
        _set("aquifer/effective_porosity", "0.3"),
        "aquifer.effective_porosity: expected a finite number, found '0.3'",
    ),
    "geographic crs": (_set("crs", "EPSG:4326"), "crs: 'EPSG:4326' is geographic"),
    "porosity above 1": (
        _set("aquifer/effective_porosity", 1.4),
        "aquifer.effective_porosity: 1.4 is outside (0, 1]",
    ),
    "porosity zero": (
        _set("aquifer/effective_porosity", 0),
        "aquifer.effective_porosity: 0 is outside (0, 1]",
    ),
    "negative dispersivity": (
        _set("aquifer/transverse_dispersivity_m", -1.0),
        "aquifer.transverse_dispersivity_m: -1.0 is negative",
    ),
    "source outside the grid": (
        _set("source/0/geometry", _OUTSIDE),
        "source.pond.geometry: lies outside the grid",
    ),
    "source partly outside the grid": (
        _set("source/0/geometry", _ACROSS),
        "source.pond.geometry: lies partly outside the grid",
    ),
    "source in degrees": (
        _set("source/0/geometry", "POINT (109.6 40.6)"),
        "not degrees",
    ),
    "receptor outside the grid": (
        _set("receptor/0/geometry", "POINT (0 0)"),
        "receptor.river.geometry: lies outside the grid",
    ),
    "grid over the maximum": (
        _set("grid/max_cells", 100),
        "grid: 40 x 20 = 800 cells is more than the maximum of 100",
    ),
    "unknown key": (
        _set("aquifer/efective_porosity", 0.3),
        "aquifer.efective_porosity: unknown key; did you mean 'effective_porosity'?",
    ),
    "unknown section": (_set("outputs", {}), "outputs: unknown key; did you mean 'output'?"),
    "no flow mode": (_set("flow", {}), "flow: needs either velocity_m_per_yr"),
    "two source strengths": (
        _set("source/0/mass_rate_kg_per_yr", 5.0),
        "source.pond: needs exactly one of concentration_mg_per_l or mass_rate_kg_per_yr",
    ),
    "source ends before it starts": (
        _set("source/0/end_yr", 0.0),
        "source.pond.end_yr: 0.0 is not after start_yr 0.0",
    ),
    "empty thresholds": (
        _set("receptor/0/thresholds_mg_per_l", []),
        "receptor.river.thresholds_mg_per_l: expected a non-empty list",
    ),
    "output times not increasing": (
        _set("output/times_yr", [20, 10]),
        "output.times_yr: [20.0, 10.0] must be strictly increasing",
    ),
    "provenance of no key": (
        _set("provenance/aquifer.porosity", "x"),
        "provenance.aquifer.porosity: names no key of this scenario",
    ),
    "bad wkt": (
        _set("source/0/geometry", "POLYGON ((1 2"),
        "source.pond.geometry: is not valid WKT",
    ),
    "schema version": (_set("schema_version", 2), "schema_version: expected 1, found 2"),
    "negative leakage": (
        _set("source/0/leakage_mm_per_yr", -5.0),
        "source.pond.leakage_mm_per_yr: -5.0 is negative",
    ),
    "leakage not a number": (
        _set("source/0/leakage_m3_per_day", "lots"),
        "source.pond.leakage_m3_per_day: expected a finite number, found 'lots'",
    ),
    "leakage given twice": (
        lambda d: d["source"][0].update(leakage_mm_per_yr=10.0, leakage_m3_per_day=5.0),
        "source.pond: gives both leakage_mm_per_yr and leakage_m3_per_day",
    ),
    "leakage per area on wells": (
        lambda d: d["source"][0].update(
            geometry="MULTIPOINT ((400510 4500510), (400810 4500260))", leakage_mm_per_yr=10.0
        ),
        "source.pond.leakage_mm_per_yr: a source of wells (points) has no area for a rate per "
        "area: per cell it would depend on the cell size; give leakage_m3_per_day, shared "
        "evenly by the wells",
    ),
    "leakage mound under uniform flow without conductivity": (
        _set("source/0/leakage_mm_per_yr", 10.0),
        "source.pond.leakage_mm_per_yr: under uniform flow the leakage mound needs the "
        "aquifer's conductivity as one number (the mound of an infinite aquifer of uniform "
        "transmissivity); give aquifer.hydraulic_conductivity_m_per_day one value",
    ),
    "a label that is not text": (
        _set("receptor/0/label", 3),
        "receptor.river.label: expected a non-empty string, found 3",
    ),
    "a title of two lines": (
        _set("title", "Baotou\nfast"),
        "title: holds '\\n', which a page cannot show on one line",
    ),
    "a label of two lines": (
        _set("source/0/label", "Pond\n<b>2</b>"),
        "source.pond.label: holds '\\n', which a page cannot show on one line; write it as one "
        "line of plain text",
    ),
    "a label too long for a legend": (
        _set("receptor/0/label", "R" * 81),
        "receptor.river.label: has 81 characters, more than 80; give a short name",
    ),
    "a bad source label beside another problem": (
        _set("source/0/label", 3),
        "source.pond.label: expected a non-empty string, found 3",
    ),
    "two receptors shown alike": (
        lambda d: d["receptor"].append(dict(d["receptor"][0], name="east", label="river")),
        "receptor.river.label: shown as 'river', as 'east' is: pages and charts could not tell "
        "them apart; give each a label of its own",
    ),
    "a dispersion order of 3": (
        _set("solver", {"dispersion_order": 3}),
        "solver.dispersion_order: expected 2 or 4, found 3; write 2 (the default) or 4",
    ),
    "a dispersion order as a float": (
        _set("solver", {"dispersion_order": 4.0}),
        "solver.dispersion_order: expected 2 or 4, found 4.0",
    ),
    "a dispersion order as a bool": (
        _set("solver", {"dispersion_order": True}),
        "solver.dispersion_order: expected 2 or 4, found True",
    ),
    "an unknown solver key": (
        _set("solver", {"dispersion_orders": 4}),
        "solver.dispersion_orders: unknown key; did you mean 'dispersion_order'?",
    ),
    "a solver that is not a table": (
        _set("solver", 4),
        "solver: expected a table, found 4; write it as [solver]",
    ),
    "head-driven without conductivity": (
        _set(
            "flow",
            {"fixed_head": [{"name": "r", "geometry": "POINT (401000 4500500)", "head_m": 1.0}]},
        ),
        "aquifer.hydraulic_conductivity_m_per_day: missing",
    ),
}


@pytest.mark.parametrize(("mutate", "expected"), BAD_CASES.values(), ids=BAD_CASES.keys())
def test_each_bad_scenario_names_the_key(document, mutate, expected):
    mutate(document)
    assert expected in _problems(document)


def test_several_problems_are_reported_at_once(document):
    document["aquifer"]["effective_porosity"] = 1.4
    document["aquifer"]["longitudinal_dispersivity_m"] = -5
    document["receptor"][0]["geometry"] = "POINT (0 0)"
    del document["output"]
    message = _problems(document)
    assert message.startswith("invalid scenario (4 problems)")
    for key in (
        "aquifer.effective_porosity: 1.4",
        "aquifer.longitudinal_dispersivity_m: -5",
        "receptor.river.geometry: lies outside",
        "output: missing",
    ):
        assert key in message


def test_pages_name_a_scenario_by_its_title_else_by_its_name(document):
    assert load_scenario(document).display_title == "small"
    document["title"] = "A small test: 25 m/yr"
    scenario = load_scenario(document)
    assert (scenario.name, scenario.display_title) == ("small", "A small test: 25 m/yr")


def test_a_bad_label_is_reported_with_the_items_other_problems(document):
    document["source"][0]["label"] = 3
    del document["source"][0]["geometry"]
    message = _problems(document)
    assert "source.pond.label: expected a non-empty string, found 3" in message
    assert "source.pond.geometry: missing" in message


def test_a_label_is_stripped_before_its_length_is_counted(document):
    document["receptor"][0]["label"] = " " + "R" * 80 + " "
    assert load_scenario(document).receptors[0].display_name == "R" * 80


def test_named_items_take_a_label_for_pages_else_show_their_name_as_words(document):
    document["source"][0]["label"] = "Pond No. 1"
    document["receptor"].append(dict(document["receptor"][0], name="east_river"))
    document["flow"] = {
        "fixed_head": [
            {"name": "river", "geometry": "POINT (401000 4500500)", "head_m": 1.0},
            {
                "name": "north_edge",
                "label": "the grid's north edge",
                "head_m": 2.0,
                "geometry": "LINESTRING (400000 4500990, 402000 4500990)",
            },
        ]
    }
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 5.0
    scenario = load_scenario(document)
    assert [s.display_name for s in scenario.sources] == ["Pond No. 1"]
    assert [r.display_name for r in scenario.receptors] == ["river", "east river"]
    assert scenario.receptor("east_river").in_sentence == "the east river"
    heads = scenario.flow.fixed_heads
    assert [h.display_name for h in heads] == ["river", "the grid's north edge"]
    assert [s.name for s in scenario.sources] == ["pond"]  # the identifier is unchanged


def test_duplicate_names_are_rejected(document):
    document["source"].append(dict(document["source"][0]))
    assert "source.pond: the name 'pond' is used more than once" in _problems(document)


def test_error_names_the_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('schema_version = 1\nname = "x"\ncrs = "EPSG:4326"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}: invalid scenario")
    assert "grid: missing" in str(caught.value)


def test_invalid_toml_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("name = \n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(path)


@settings(max_examples=25, deadline=None)
@given(porosity=st.floats(-2, 3, allow_nan=False))
def test_porosity_is_accepted_exactly_in_the_half_open_unit_interval(porosity):
    document = {**BASE, "aquifer": {**BASE["aquifer"], "effective_porosity": porosity}}
    if 0 < porosity <= 1:
        assert load_scenario(document).aquifer.effective_porosity == porosity
    else:
        assert "aquifer.effective_porosity" in _problems(document)


# --- rasters -----------------------------------------------------------------------------------

_WEST_EAST_HEADS = {
    "fixed_head": [
        {"name": "west", "geometry": "LINESTRING (400010 4500000, 400010 4501000)", "head_m": 10.0},
        {"name": "east", "geometry": "LINESTRING (401990 4500000, 401990 4501000)", "head_m": 0.0},
    ]
}


def _with_conductivity_raster(document, name):
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = name
    document["flow"] = _WEST_EAST_HEADS
    return document


def test_a_leakage_mound_under_uniform_flow_needs_one_conductivity(document, tmp_path):
    write_raster(tmp_path / "k.tif", np.full((20, 40), 5.0))
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = "k.tif"
    document["source"][0]["leakage_mm_per_yr"] = 10.0
    with pytest.raises(ScenarioError, match="needs the aquifer's conductivity as one number"):
        load_scenario(document, root=tmp_path)


def test_conductivity_raster_is_aligned_y_up(document, tmp_path):
    values = np.tile(np.arange(20, dtype=float)[:, None] + 1.0, (1, 40))  # north-up rows 1..20
    write_raster(tmp_path / "k.tif", values)
    scenario = load_scenario(_with_conductivity_raster(document, "k.tif"), root=tmp_path)
    conductivity = scenario.aquifer.hydraulic_conductivity_m_per_day
    assert isinstance(scenario.flow, HeadDrivenFlow)
    assert conductivity.values.shape == (20, 40)
    # y-up: row 0 is the southern row, the file's last row (value 20)
    assert conductivity.values[0, 0] == 20.0
    assert conductivity.values[-1, 0] == 1.0
    assert scenario.referenced_files == (tmp_path / "k.tif",)


def _big_sparse_raster(path, side: int) -> None:
    """A ``side`` x ``side`` raster of 1 m pixels over the grid, compressed to a few kB."""
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=side,
        width=side,
        count=1,
        dtype="float32",
        crs="EPSG:32649",
        transform=Affine(1.0, 0, 399_000.0, 0, -1.0, 4_503_000.0),
        compress="deflate",
        tiled=True,
        blockxsize=512,
        blockysize=512,
    ) as raster:
        for window in (w for _, w in raster.block_windows(1)):
            raster.write(np.full((window.height, window.width), 7.0, "float32"), 1, window=window)


def test_a_large_raster_is_read_only_around_the_grid(document, tmp_path):
    _big_sparse_raster(tmp_path / "big.tif", 5000)  # 100 MB as float32 if read whole
    assert (tmp_path / "big.tif").stat().st_size < 5_000_000
    tracemalloc.start()
    try:
        scenario = load_scenario(_with_conductivity_raster(document, "big.tif"), root=tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.all(scenario.aquifer.hydraulic_conductivity_m_per_day.values == 7.0)
    assert peak < 5000 * 5000 * 8  # less than one float64 copy of the whole raster


def test_a_raster_too_large_around_the_grid_is_refused(document, tmp_path, monkeypatch):
    _big_sparse_raster(tmp_path / "big.tif", 3000)
    monkeypatch.setattr(inputs, "MAX_RASTER_PIXELS", 1000)
    with pytest.raises(ScenarioError, match="more than 1,000"):
        load_scenario(_with_conductivity_raster(document, "big.tif"), root=tmp_path)


def test_a_raster_beside_the_grid_is_refused(document, tmp_path):
    write_raster(tmp_path / "far.tif", np.full((20, 40), 3.0), origin=(500_000.0, 4_501_000.0))
    with pytest.raises(ScenarioError, match="does not reach the grid"):
        load_scenario(_with_conductivity_raster(document, "far.tif"), root=tmp_path)


def test_raster_path_is_relative_to_the_scenario_file(tmp_path):
    (tmp_path / "scenarios").mkdir()
    write_raster(tmp_path / "k.tif", np.full((20, 40), 3.0))
    lines = [
        "schema_version = 1",
        'name = "file"',
        'crs = "EPSG:32649"',
        "[grid]",
        "bounds_m = [400000, 4500000, 402000, 4501000]",
        "cell_size_m = 50",
        "[aquifer]",
        "effective_porosity = 0.2",
        "thickness_m = 5",
        "longitudinal_dispersivity_m = 10",
        "transverse_dispersivity_m = 1",
        'hydraulic_conductivity_m_per_day = "../k.tif"',
        "[flow]",
        "velocity_m_per_yr = 1",
        "direction_deg = 0",
        "[[source]]",
        'name = "s"',
        'geometry = "POINT (401000 4500500)"',
        "mass_rate_kg_per_yr = 2",
        "[output]",
        "times_yr = [1]",
    ]
    path = tmp_path / "scenarios" / "file.toml"
    path.write_text("\n".join(lines) + "\n")
    scenario = load_scenario(path)
    assert np.all(scenario.aquifer.hydraulic_conductivity_m_per_day.values == 3.0)
    assert scenario.sources[0].mass_rate_kg_per_yr == 2.0


def test_raster_in_another_crs_is_rejected(document, tmp_path):
    write_raster(tmp_path / "k.tif", np.ones((20, 40)), crs="EPSG:32650")
    message = _problems_with_root(_with_conductivity_raster(document, "k.tif"), tmp_path)
    assert "aquifer.hydraulic_conductivity_m_per_day" in message
    assert "'EPSG:32650', not the scenario CRS 'EPSG:32649'" in message


def test_raster_with_nodata_in_the_grid_is_rejected(document, tmp_path):
    values = np.ones((20, 40))
    values[10, 5] = -9999.0
    write_raster(tmp_path / "k.tif", values, nodata=-9999.0)
    message = _problems_with_root(_with_conductivity_raster(document, "k.tif"), tmp_path)
    assert "aquifer.hydraulic_conductivity_m_per_day" in message
    assert "no valid value (NaN/nodata or not > 0) in 1 of 800 grid cells" in message


def test_initial_raster_with_nan_under_the_source_is_rejected(document, tmp_path):
    values = np.zeros((20, 40))
    values[10, 5] = np.nan  # north-up row 10 = y 4500475 m, column 5 = x 400275 m: the pond
    write_raster(tmp_path / "c0.tif", values)
    document["initial"] = {"raster": "c0.tif"}
    message = _problems_with_root(document, tmp_path)
    assert "initial.raster" in message
    assert "including cells under source 'pond'" in message


def test_a_missing_raster_is_one_problem_saying_where_paths_start(document, tmp_path):
    message = _problems_with_root(_with_conductivity_raster(document, "nope.tif"), tmp_path)
    assert "aquifer.hydraulic_conductivity_m_per_day: raster 'nope.tif' not found" in message
    assert "give the path from the scenario's folder or from the data root (--root" in message
    assert "(1 problem)" in message  # not also 'missing': the key is there


def _problems_with_root(document, root):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document, root=root)
    return str(caught.value)


def test_an_arrival_resolution_too_fine_for_the_horizon_is_refused(document):
    document["output"]["arrival_resolution_yr"] = 1e-9
    with pytest.raises(ScenarioError, match="receptor records"):
        load_scenario(document)


@pytest.mark.parametrize(
    ("wkt", "wells"),
    [
        ("POINT (401000 4500500)", True),
        ("MULTIPOINT ((401000 4500500), (401300 4500500))", True),
        ("GEOMETRYCOLLECTION (MULTIPOINT ((401000 4500500), (401300 4500500)))", True),
        (
            "GEOMETRYCOLLECTION (POINT (401000 4500500), "
            "LINESTRING (401100 4500500, 401300 4500500))",
            False,
        ),
        (
            "POLYGON ((401000 4500400, 401200 4500400, 401200 4500600, "
            "401000 4500600, 401000 4500400))",
            False,
        ),
    ],
)
def test_a_source_of_points_alone_is_wells(document, wkt, wells):
    """Read through collections as the grid rasterizes them; any other part makes it an area."""
    document["source"][0]["geometry"] = wkt
    assert load_scenario(document).sources[0].at_points is wells


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT (402000 4500500)",
        "POINT (400500 4500000)",
        "POINT (402000 4500000)",
        "POINT (400000 4500500)",
        "POINT (400500 4501000)",
        "POINT (400000 4501000)",
        "LINESTRING (402000 4500100, 402000 4500900)",
        "LINESTRING (400100 4500000, 400900 4500000)",
        "LINESTRING (400000 4500100, 400000 4500900)",
        "LINESTRING (400010 4501000, 400040 4501000)",
    ],
)
def test_points_and_lines_on_an_edge_mark_the_cells_along_it(document, wkt):
    """They lie within the grid's bounds and load; rasterio alone marks no cell for them on the
    east or south edge, none for the line along the north edge in one cell (which then failed
    at run time), and, at other origins than this grid's, none for some points on the west or
    north edge (rounding: ``tests/run/test_run_grid.py``)."""
    document["source"][0]["geometry"] = wkt
    scenario = load_scenario(document)
    mask = scenario.grid.rasterize(scenario.sources[0].geometry)
    x0, y0, x1, y1 = scenario.grid.bounds_m
    geometry = scenario.sources[0].geometry
    assert mask.any()
    if geometry.bounds[0] == x1:
        assert not mask[:, :-1].any()
    if geometry.bounds[2] == x0:
        assert not mask[:, 1:].any()
    if geometry.bounds[3] == y1:
        assert not mask[:-1].any()
    if geometry.bounds[1] == y0:
        assert not mask[1:].any()  # y-up: row 0 is the south row
