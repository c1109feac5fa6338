"""The shipped scenarios load, document every parameter, and flow as their comments claim."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

from atlas.errors import ScenarioError
from atlas.plume.flow import cell_velocities
from atlas.run import flow_field
from atlas.scenario import HeadDrivenFlow, digest, load_scenario
from atlas.scenario.digest import inputs_sha256

SHIPPED = ("baotou", "baotou_fast_path", "baotou_observed", "mountain_pass")


@pytest.fixture(scope="module", params=SHIPPED)
def shipped(request, repo_root):
    return load_scenario(repo_root / "scenarios" / f"{request.param}.toml")


def test_shipped_scenario_documents_every_parameter(shipped):
    assert shipped.undocumented == ()
    assert shipped.start_year is not None
    assert shipped.receptors
    assert shipped.sources


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_scenario_copied_elsewhere_loads_with_the_data_root(repo_root, tmp_path, name):
    """What a researcher does to vary one: copy it out, edit it, pass --root."""
    copy = tmp_path / f"{name}.toml"
    copy.write_bytes((repo_root / "scenarios" / f"{name}.toml").read_bytes())
    scenario = load_scenario(copy, root=repo_root)
    in_place = load_scenario(repo_root / "scenarios" / f"{name}.toml")
    assert replace(scenario, path=None) == replace(in_place, path=None)


def _seepage_at_source_m_per_yr(scenario) -> float:
    flow = flow_field(scenario)
    vx, vy = cell_velocities(flow.vx_face_m_per_yr, flow.vy_face_m_per_yr)
    return float(np.median(np.hypot(vx, vy)[scenario.grid.rasterize(scenario.sources[0].geometry)]))


@pytest.mark.parametrize(
    ("name", "low", "high"), [("baotou", 20.0, 30.0), ("baotou_fast_path", 180.0, 260.0)]
)
def test_baotou_seepage_matches_its_stated_speed(repo_root, name, low, high):
    scenario = load_scenario(repo_root / "scenarios" / f"{name}.toml")
    assert isinstance(scenario.flow, HeadDrivenFlow)
    assert low <= _seepage_at_source_m_per_yr(scenario) <= high


def test_baotou_flows_south_toward_the_river(repo_root):
    scenario = load_scenario(repo_root / "scenarios" / "baotou.toml")
    flow = flow_field(scenario)
    _, vy = cell_velocities(flow.vx_face_m_per_yr, flow.vy_face_m_per_yr)
    assert np.median(vy[scenario.grid.rasterize(scenario.sources[0].geometry)]) < 0


def test_baotou_layer_geometries_are_in_utm_and_clipped(repo_root):
    scenario = load_scenario(repo_root / "scenarios" / "baotou.toml")
    pond = scenario.sources[0].geometry
    assert pond.area == pytest.approx(11e6, rel=0.02)  # the 11 km2 ellipse, in m2
    river = scenario.receptors[0].geometry
    assert scenario.grid.box.covers(river)
    assert river.length > 10_000


# --- layer references, against a data root built in the test ---------------------------------


@pytest.fixture
def layer_root(tmp_path):
    (tmp_path / "layers").mkdir()
    line = LineString([(109.6, 40.55), (109.6, 40.75)])  # ~ 381 500 E in UTM 49N
    rivers = gpd.GeoDataFrame(
        {
            "name": ["Huang", "Other"],
            "name_en": ["Yellow", "Other"],
            "scalerank": [3, 5],
            "featurecla": ["River", "River"],
        },
        geometry=[line, LineString([(100.0, 30.0), (100.1, 30.1)])],
        crs=4326,
    )
    rivers.to_file(tmp_path / "layers" / "rivers_10m.gpkg", driver="GPKG")
    return tmp_path


def _river_document(document, where):
    document["grid"]["bounds_m"] = [375_000, 4_495_000, 385_000, 4_505_000]
    document["grid"]["cell_size_m"] = 100.0
    document["source"][0]["geometry"] = "POINT (378000 4500000)"
    document["receptor"][0]["geometry"] = {"layer": "rivers_10m", "where": where}
    return document


def test_layer_reference_is_reprojected_and_clipped_to_the_grid(document, layer_root):
    scenario = load_scenario(_river_document(document, {"name": "Huang"}), root=layer_root)
    river = scenario.receptors[0].geometry
    x0, y0, _, y1 = river.bounds
    assert 381_000 < x0 < 382_500
    assert (y0, y1) == (4_495_000, 4_505_000)  # clipped to the grid
    assert scenario.grid.rasterize(river).sum() >= 100  # one cell per row at least


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            {"name": "Missouri"},
            "receptor.river.geometry.where.name: no feature of layer 'rivers_10m' has name = "
            "'Missouri'; known values here: 'Huang', 'Other'",
        ),
        (
            {"scalerank": "3"},
            "receptor.river.geometry.where.scalerank: no feature of layer 'rivers_10m' has "
            "scalerank = '3'; did you mean 3?",  # the number, as TOML writes it
        ),
        (
            {"name": "Huang", "scalerank": 5},
            "receptor.river.geometry.where.scalerank: no feature of layer 'rivers_10m' where "
            "{'name': 'Huang'} has scalerank = 5; known values here: 3",
        ),
        (
            {"name": "Huangg"},
            "receptor.river.geometry.where.name: no feature of layer 'rivers_10m' has name = "
            "'Huangg'; did you mean 'Huang'?",
        ),
        ({"nmae": "Huang"}, "receptor.river.geometry.where.nmae: layer 'rivers_10m' has no column"),
    ],
)
def test_layer_reference_problems_are_reported(document, layer_root, where, message):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(_river_document(document, where), root=layer_root)
    assert message in str(caught.value)


def test_unknown_layer_is_reported(document, layer_root):
    document["receptor"][0]["geometry"] = {"layer": "rivers_11m"}
    with pytest.raises(ScenarioError, match=r"receptor\.river\.geometry\.layer: no layer named"):
        load_scenario(document, root=layer_root)


def test_the_inputs_hash_changes_with_the_model_code(monkeypatch, repo_root):
    scenario = load_scenario(repo_root / "scenarios" / "mountain_pass.toml", root=repo_root)
    before = inputs_sha256(scenario)
    assert inputs_sha256(scenario) == before
    monkeypatch.setattr(digest, "model_code_sha256", lambda: "0" * 64)
    assert inputs_sha256(scenario) != before


def test_baotou_observed_mound_pushes_water_west_toward_dalahai(repo_root):
    scenario = load_scenario(repo_root / "scenarios" / "baotou_observed.toml")
    wells, bank = (o.geometry for o in scenario.observations)
    assert (round(wells.x), round(wells.y)) == (384601, 4499385)  # 1.5 km W of the ellipse
    assert (round(bank.x), round(bank.y)) == (382165, 4489816)
    assert [o.year for o in scenario.observations] == [1995, 2020]
    grid = scenario.grid
    row = int((wells.y - grid.y_min_m) // grid.cell_size_m)
    column = int((386_100 - 300 - grid.x_min_m) // grid.cell_size_m)  # just west of the pond
    dry = replace(scenario, sources=(replace(scenario.sources[0], leakage_mm_per_yr=0.0),))
    west_of_pond = flow_field(scenario).vx_face_m_per_yr[row, column]
    assert flow_field(dry).vx_face_m_per_yr[row, column] > west_of_pond
    assert west_of_pond < -10.0  # m/yr toward the west: the mound, not the regional flow
