"""The reader's edge cases, one test each: the crashes the fuzz test was built to catch, file
encodings, deep nesting, and the contract details (optional fixed-head names, a transverse
dispersivity above the longitudinal one, scenarios without a source)."""

from __future__ import annotations

import codecs
import warnings
from pathlib import Path
from typing import Any

import pytest
from scenario_documents import BASE

from atlas.errors import ScenarioError, ScenarioWarning
from atlas.scenario import HeadDrivenFlow, load_scenario
from atlas.scenario.fields import FieldReader, suggest
from atlas.scenario.text import MAX_DEPTH

TEXT = """\
schema_version = 1
name = "text"
crs = "EPSG:32649"
[grid]
bounds_m = [400000, 4500000, 402000, 4501000]
cell_size_m = 50
[aquifer]
effective_porosity = 0.2
thickness_m = 5
longitudinal_dispersivity_m = 10
transverse_dispersivity_m = 1
[flow]
velocity_m_per_yr = 1
direction_deg = 0
[[source]]
name = "s"
geometry = "POINT (401000 4500500)"
mass_rate_kg_per_yr = 2
[[receptor]]
name = "r"
geometry = "POINT (401500 4500500)"
thresholds_mg_per_l = [1]
[output]
times_yr = [1]
"""


def _problems(source: Any, **kwargs: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(source, **kwargs)
    return caught.value


def _wheres(error: ScenarioError) -> list[str]:
    return [problem.where for problem in error.problems]


# --- the four known crashes, and no placeholder for a missing key ------------------------------


def test_cell_size_for_cell_size_m_is_two_problems_not_a_crash(document):
    document["grid"]["cell_size"] = document["grid"].pop("cell_size_m")
    error = _problems(document)
    assert "grid.cell_size: unknown key; did you mean 'cell_size_m'?" in str(error)
    assert "grid.cell_size_m: missing" in str(error)


def test_uniform_flow_without_direction_names_the_missing_key(document):
    del document["flow"]["direction_deg"]
    error = _problems(document)
    assert _wheres(error) == ["flow.direction_deg"]
    assert "flow.direction_deg: missing; add this key" in str(error)


def test_uniform_flow_without_velocity_names_the_missing_key(document):
    del document["flow"]["velocity_m_per_yr"]
    assert _wheres(_problems(document)) == ["flow.velocity_m_per_yr"]


@pytest.mark.parametrize("read", ["number", "text"])
def test_a_missing_required_key_reads_as_none_and_is_noted(read):
    reader = FieldReader()
    assert getattr(reader, read)({}, "k", "t.k") is None
    assert [str(p) for p in reader.problems] == ["t.k: missing; add this key"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
def test_a_utf16_or_utf32_file_is_named_with_the_fix(tmp_path, encoding):
    path = tmp_path / "wide.toml"
    data = TEXT.encode(encoding)
    if encoding in ("utf-16", "utf-32"):  # Python writes a byte-order mark; the others don't
        assert data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    path.write_bytes(data)
    message = str(_problems(path))
    assert message.startswith(f"{path}: the file ")
    assert encoding[:6].upper() in message  # "UTF-16" or "UTF-32"
    assert "not UTF-8" in message
    assert "save it as UTF-8" in message


def test_a_latin1_file_is_refused_with_the_line_and_the_fix(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(TEXT.replace('"text"', '"Mülheim"').encode("latin-1"))
    message = str(_problems(path))
    assert "not UTF-8 text (byte 0xfc on line 2" in message
    assert "save it as UTF-8" in message


def test_a_deeply_nested_array_in_a_file_is_one_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text(TEXT.replace("direction_deg = 0", "direction_deg = " + "[" * 5000 + "]" * 5000))
    error = _problems(path)
    assert str(error).startswith(f"{path}: ")
    assert "nested" in error.message


def test_a_nested_array_deeper_than_the_limit_names_its_key(tmp_path):
    depth = MAX_DEPTH + 5  # read by TOML, refused by the atlas
    path = tmp_path / "deep.toml"
    path.write_text(
        TEXT.replace("direction_deg = 0", "direction_deg = " + "[" * depth + "]" * depth)
    )
    error = _problems(path)
    assert _wheres(error) == ["flow"]
    assert f"nested more than {MAX_DEPTH} deep" in str(error)


def test_a_deeply_nested_document_is_one_error(document):
    value: list[Any] = []
    for _ in range(100_000):
        value = [value]
    document["output"]["times_yr"] = value
    assert _wheres(_problems(document)) == ["output"]


# --- encodings that are accepted ---------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_bytes(TEXT.encode("utf-8"))
    marked.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert load_scenario(marked).document_json == load_scenario(plain).document_json


# --- other values that used to crash or mislead ------------------------------------------------


def test_an_integer_beyond_the_float_range_is_a_problem(document):
    document["aquifer"]["thickness_m"] = 10**400
    error = _problems(document)
    assert _wheres(error) == ["aquifer.thickness_m"]
    assert "expected a finite number" in str(error)
    assert len(str(error)) < 400  # the 400-digit value is shortened


def test_a_grid_too_large_to_count_is_a_problem(document):
    document["grid"]["bounds_m"] = [-1e308, 0, 1e308, 1000]
    assert "grid: " in str(_problems(document))


def test_schema_version_true_is_not_version_1(document):
    document["schema_version"] = True
    assert _wheres(_problems(document)) == ["schema_version"]


def test_a_folder_given_as_the_scenario_is_one_error(tmp_path):
    assert "cannot read the file" in str(_problems(tmp_path))


def test_a_key_with_a_line_break_stays_on_one_line(document):
    document["aquifer"]["bad\nkey"] = 1
    (where,) = _wheres(_problems(document))
    assert where == "aquifer.'bad\\nkey'"


def test_an_initial_raster_that_is_not_a_path_is_a_problem(document):
    document["initial"] = {"raster": [[1]]}
    assert "initial.raster: expected a non-empty string" in str(_problems(document))


def test_a_negative_layer_buffer_is_a_problem(document, tmp_path):
    (tmp_path / "layers").mkdir()
    document["receptor"][0]["geometry"] = {"layer": "rivers_10m", "buffer_m": -5}
    error = _problems(document, root=tmp_path)
    assert "receptor.river.geometry.buffer_m" in _wheres(error)


def test_a_layer_reference_without_a_data_root_is_one_line(document):
    document["receptor"][0]["geometry"] = {"layer": "rivers_10m"}
    error = _problems(document)
    (problem,) = error.problems
    assert problem.where == "receptor.river.geometry.layer"
    assert "needs a data root" in problem.message
    assert "\n" not in str(problem)


# --- [[flow.fixed_head]] name is optional -------------------------------------------------------


def _head(x: float, head_m: float, **name: str) -> dict[str, Any]:
    return {"geometry": f"LINESTRING ({x} 4500000, {x} 4501000)", "head_m": head_m, **name}


def _head_driven(document: dict[str, Any], *heads: dict[str, Any]) -> dict[str, Any]:
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 5.0
    document["flow"] = {"fixed_head": list(heads)}
    return document


def test_fixed_heads_without_names_are_numbered_in_order(document):
    scenario = load_scenario(_head_driven(document, _head(400010, 10.0), _head(401990, 0.0)))
    assert isinstance(scenario.flow, HeadDrivenFlow)
    names = [head.name for head in scenario.flow.fixed_heads]
    assert names == ["fixed_head_1", "fixed_head_2"]
    assert [head.head_m for head in scenario.flow.fixed_heads] == [10.0, 0.0]
    assert "flow.fixed_head.fixed_head_2.head_m" in scenario.parameter_keys


def test_a_default_fixed_head_name_counts_its_position_among_named_ones(document):
    heads = (_head(400010, 10.0, name="west"), _head(401990, 0.0))
    scenario = load_scenario(_head_driven(document, *heads))
    assert [head.name for head in scenario.flow.fixed_heads] == ["west", "fixed_head_2"]


def test_a_default_fixed_head_name_that_clashes_is_reported(document):
    heads = (_head(400010, 10.0, name="fixed_head_2"), _head(401990, 0.0))
    error = _problems(_head_driven(document, *heads))
    assert "flow.fixed_head.fixed_head_2: the name 'fixed_head_2' is used more than once" in str(
        error
    )


def test_fixed_head_table_instead_of_array_names_its_key(document):
    _head_driven(document)
    document["flow"]["fixed_head"] = _head(400010, 10.0)
    assert "flow.fixed_head" in _wheres(_problems(document))


# --- a transverse dispersivity above the longitudinal one: accepted, with a warning ------------


def test_transverse_above_longitudinal_warns_naming_both_keys_and_the_file(tmp_path):
    path = tmp_path / "swapped.toml"
    path.write_text(
        TEXT.replace("longitudinal_dispersivity_m = 10", "longitudinal_dispersivity_m = 1").replace(
            "transverse_dispersivity_m = 1\n", "transverse_dispersivity_m = 10\n"
        )
    )
    with pytest.warns(ScenarioWarning) as caught:
        scenario = load_scenario(path)
    assert scenario.aquifer.transverse_dispersivity_m == 10.0
    (warning,) = caught
    message = str(warning.message)
    assert str(path) in message
    assert "aquifer.transverse_dispersivity_m (10 m)" in message
    assert "aquifer.longitudinal_dispersivity_m (1 m)" in message
    assert issubclass(ScenarioWarning, UserWarning)


def test_equal_dispersivities_do_not_warn(document):
    document["aquifer"]["transverse_dispersivity_m"] = document["aquifer"][
        "longitudinal_dispersivity_m"
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        load_scenario(document)


def test_an_invalid_scenario_does_not_warn_about_dispersivity(document):
    document["aquifer"]["transverse_dispersivity_m"] = 500.0
    del document["output"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        _problems(document)


def test_a_document_without_a_file_is_named_in_the_warning(document):
    document["aquifer"]["transverse_dispersivity_m"] = 500.0
    with pytest.warns(ScenarioWarning, match="scenario 'small': aquifer.transverse"):
        load_scenario(document)


# --- neither [[source]] nor [initial]: a flow-only scenario ------------------------------------


def test_a_scenario_without_sources_is_accepted_and_keeps_its_receptors(document):
    del document["source"]
    scenario = load_scenario(document)
    assert scenario.sources == ()
    assert scenario.initial is None
    assert [r.name for r in scenario.receptors] == ["river"]
    assert scenario.thresholds_mg_per_l == (1.0, 10.0)


def test_a_scenario_without_sources_or_receptors_is_accepted(document):
    del document["source"], document["receptor"]
    scenario = load_scenario(document)
    assert (scenario.sources, scenario.receptors) == ((), ())
    assert scenario.thresholds_mg_per_l == ()
    assert len(scenario.geometry_sha256()) == 64


def test_base_document_still_loads():
    assert load_scenario(BASE).name == "small"


def test_shipped_files_read_the_same_with_a_byte_order_mark(tmp_path, repo_root):
    source = repo_root / "scenarios" / "mountain_pass.toml"
    copy = tmp_path / "scenarios" / "mountain_pass.toml"
    copy.parent.mkdir()
    copy.write_bytes(codecs.BOM_UTF8 + source.read_bytes())
    assert load_scenario(copy, root=repo_root).document_json == (
        load_scenario(source).document_json
    )


def test_scenario_error_for_a_missing_file_names_it(tmp_path: Path):
    missing = tmp_path / "nope.toml"
    assert str(_problems(missing)) == f"{missing}: scenario file not found"


def test_a_grid_maximum_beyond_what_memory_holds_is_a_problem(document):
    document["grid"]["max_cells"] = 1e300  # with 1 cm cells: 2e10 cells, never allocated
    document["grid"]["cell_size_m"] = 0.01
    error = _problems(document)
    assert _wheres(error) == ["grid.max_cells"]
    assert "is outside [1, 1e+08]" in str(error)


def test_a_path_with_a_nul_character_is_one_error():
    assert "cannot read the file" in str(_problems("a\x00b.toml"))


def test_windows_line_endings_with_a_byte_order_mark_are_accepted(tmp_path):
    path = tmp_path / "windows.toml"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert load_scenario(path).name == "text"


# --- buffers of layer references ----------------------------------------------------------------


def _on_the_huang(document: dict[str, Any], geometry: dict[str, Any]) -> dict[str, Any]:
    """The test document moved onto the Yellow River south of Baotou (UTM 49N)."""
    document["grid"] = {"bounds_m": [376000, 4481000, 398000, 4505000], "cell_size_m": 500.0}
    document["source"][0]["geometry"] = "POINT (389000 4499000)"
    document["receptor"][0]["geometry"] = geometry
    return document


def test_a_huge_layer_buffer_is_a_problem_not_a_slow_or_failed_buffer(document, repo_root):
    _on_the_huang(document, {"layer": "rivers_10m", "buffer_m": 1e308})
    error = _problems(document, root=repo_root)
    assert _wheres(error) == ["receptor.river.geometry.buffer_m"]
    assert "is outside [0, 100,000] m" in str(error)


def test_a_buffered_layer_is_clipped_first_with_the_same_result_on_the_grid(document, repo_root):
    from atlas.load import read_layer

    reference = {"layer": "rivers_10m", "where": {"name": "Huang"}, "buffer_m": 3000.0}
    scenario = load_scenario(_on_the_huang(document, reference), root=repo_root)
    river = read_layer("rivers_10m", repo_root)
    huang = river[river["name"] == "Huang"].to_crs(scenario.crs).geometry.union_all()
    expected = huang.buffer(3000.0).intersection(scenario.grid.box)
    band = scenario.receptors[0].geometry
    assert band.area > 20e6  # a 6 km wide band across the grid
    assert band.symmetric_difference(expected).area < 1e-6 * expected.area


@pytest.mark.parametrize(
    ("document", "where"),
    [({1: 2, "name": "x"}, "1"), ({"grid": {3: 4}}, "grid"), ({"grid": [[{None: 1}]]}, "grid")],
)
def test_a_mapping_with_a_key_that_is_not_text_is_one_error(document, where):
    error = _problems(document)
    assert _wheres(error) == [where]
    assert "not text" in str(error)


def test_a_layer_far_outside_the_scenario_crs_is_one_clear_problem(document, repo_root):
    document["crs"] = "EPSG:3031"  # Antarctic polar stereographic: the Huang projects, far away
    document["receptor"][0]["geometry"] = {"layer": "rivers_10m", "buffer_m": 10.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # would be a stray line from the CLI
        error = _problems(document, root=repo_root)
    (problem,) = error.problems
    assert problem.where == "receptor.river.geometry"
    assert "lies outside the grid" in problem.message
    assert "nan" not in problem.message


def test_a_layer_the_scenario_crs_cannot_draw_is_named(document, repo_root):
    document["crs"] = "+proj=ortho +lat_0=-40 +lon_0=-70 +units=m"  # the Huang's far side
    document["receptor"][0]["geometry"] = {"layer": "rivers_10m", "where": {"name": "Huang"}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        error = _problems(document, root=repo_root)
    assert "receptor.river.geometry: no feature of layer 'rivers_10m' matching" in str(error)
    assert "can be drawn in the scenario CRS" in str(error)


def test_a_geometry_outside_the_grid_gives_its_bounds_to_a_tenth_of_a_metre(document):
    document["receptor"][0]["geometry"] = "POINT (262979.91863079893 4500123.456)"
    (problem,) = _problems(document).problems
    assert problem.where == "receptor.river.geometry"
    assert "its bounds are [262979.9, 4500123.5, 262979.9, 4500123.5]" in problem.message


def test_a_suggestion_without_a_close_match_lists_a_dozen_known_keys_and_the_count():
    keys = [f"key_{i:02d}" for i in range(20)]
    listed = ", ".join(keys[:12])
    assert suggest("zzz", keys) == f"known keys here: {listed}, ... (20 in all)"
    assert suggest("zzz", keys[:3]) == "known keys here: key_00, key_01, key_02"
    assert suggest("key_07x", keys) == "did you mean 'key_07'?"
