"""A leaking source's mound against the steady radial closed form, and its water balance.

Closed form (derived here; the steady radial mound, e.g. Bear 1979, *Hydraulics of
Groundwater*, McGraw-Hill, and the steady limit of Hantush 1967, *Water Resour. Res.* 3(1),
227-234): a confined aquifer of transmissivity ``T = K b`` recharged at ``W`` (m/yr) inside a
circle of radius ``R``, its head fixed at ``h0`` on a circle of radius ``Rb > R``. Radial
continuity, ``(1/r) d/dr (r T dh/dr) = -W`` inside and ``= 0`` outside, gives with
``dh/dr = 0`` at the centre and ``h(Rb) = h0``::

    r >= R:  h(r) = h0 + W R² / (2 T) ln(Rb / r)
    r <= R:  h(r) = h0 + W (R² - r²) / (4 T) + W R² / (2 T) ln(Rb / R)

(the two meet, with the same slope ``-W R / (2 T)``, at ``r = R``); the mound height at the
centre is ``W R² / (4 T) (1 + 2 ln(Rb / R))``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from atlas.assumptions import assumptions
from atlas.plume.flow import DAYS_PER_YEAR, uniform_face_velocities
from atlas.run import flow_field, leakage_m_per_yr
from atlas.scenario import load_scenario

CENTRE = (500_000.0, 4_500_000.0)
RADIUS_M = 1_000.0  # recharge circle: 40 cells across its radius
OUTER_M = 3_000.0  # fixed-head circle
CELL_M = 25.0
HALF_SIDE_M = 3_200.0
CONDUCTIVITY_M_PER_DAY = 10.0
THICKNESS_M = 20.0
LEAKAGE_MM_PER_YR = 500.0
HEAD_M = 100.0


def _circle(radius_m: float) -> shapely.Polygon:
    return shapely.Point(CENTRE).buffer(radius_m, quad_segs=256)


def _document(leakage: dict[str, float]) -> dict:
    x, y = CENTRE
    box = shapely.box(x - HALF_SIDE_M, y - HALF_SIDE_M, x + HALF_SIDE_M, y + HALF_SIDE_M)
    return {
        "schema_version": 1,
        "name": "mound",
        "crs": "EPSG:32649",
        "grid": {"bounds_m": list(box.bounds), "cell_size_m": CELL_M},
        "aquifer": {
            "effective_porosity": 0.25,
            "thickness_m": THICKNESS_M,
            "longitudinal_dispersivity_m": 10.0,
            "transverse_dispersivity_m": 1.0,
            "hydraulic_conductivity_m_per_day": CONDUCTIVITY_M_PER_DAY,
        },
        "flow": {
            "fixed_head": [
                {
                    "name": "ring",
                    "geometry": box.difference(_circle(OUTER_M)).wkt,
                    "head_m": HEAD_M,
                }
            ]
        },
        "source": [
            {
                "name": "pond",
                "geometry": _circle(RADIUS_M).wkt,
                "concentration_mg_per_l": 1.0,
                **leakage,
            }
        ],
        "output": {"times_yr": [1.0]},
    }


def radial_mound_m(r_m: np.ndarray) -> np.ndarray:
    """The closed form of the module docstring, in m above ``HEAD_M``."""
    w = LEAKAGE_MM_PER_YR / 1000.0
    t = CONDUCTIVITY_M_PER_DAY * DAYS_PER_YEAR * THICKNESS_M
    rr = RADIUS_M**2
    outside = w * rr / (2 * t) * np.log(OUTER_M / np.maximum(r_m, 1e-9))
    inside = w * (rr - r_m**2) / (4 * t) + w * rr / (2 * t) * math.log(OUTER_M / RADIUS_M)
    return np.where(r_m <= RADIUS_M, inside, outside)


@pytest.fixture(scope="module")
def mound():
    scenario = load_scenario(_document({"leakage_mm_per_yr": LEAKAGE_MM_PER_YR}))
    return scenario, flow_field(scenario)


def _radius_m(scenario) -> np.ndarray:
    grid = scenario.grid
    x, y = np.meshgrid(grid.x_centres_m, grid.y_centres_m)
    return np.hypot(x - CENTRE[0], y - CENTRE[1])


def test_mound_matches_the_radial_closed_form_within_one_percent(mound):
    scenario, flow = mound
    r = _radius_m(scenario)
    free = r < OUTER_M
    modelled = flow.head_m - HEAD_M
    exact = radial_mound_m(r)
    height = float(radial_mound_m(np.zeros(1))[0])
    assert height > 5.0  # W R² / (4T) (1 + 2 ln 3) = 5.47 m: a mound, not round-off
    assert abs(modelled.max() - height) < 0.01 * height
    assert np.abs(modelled - exact)[free].max() < 0.01 * height


def _outflow_m3_per_yr(scenario, flow) -> float:
    """Water entering the fixed-head cells through their faces, m³/yr."""
    vx, vy = flow.vx_face_m_per_yr, flow.vy_face_m_per_yr
    net_in = vx[:, :-1] - vx[:, 1:] + vy[:-1, :] - vy[1:, :]  # seepage m/yr, per face width
    fixed = np.isfinite(flow.fixed_head_m)
    aquifer = scenario.aquifer
    face_m2 = scenario.grid.cell_size_m * aquifer.thickness_m
    return float(net_in[fixed].sum() * aquifer.effective_porosity * face_m2)


def test_all_the_leaked_water_leaves_through_the_fixed_heads(mound):
    scenario, flow = mound
    leaked = leakage_m_per_yr(scenario).sum() * scenario.grid.cell_size_m**2
    assert leaked == pytest.approx(
        LEAKAGE_MM_PER_YR / 1000 * math.pi * RADIUS_M**2, rel=0.01
    )  # the rasterized circle
    assert _outflow_m3_per_yr(scenario, flow) == pytest.approx(leaked, rel=1e-9)


def test_a_volume_per_day_is_spread_over_the_source_cells(mound):
    scenario, flow = mound
    cells = int(scenario.grid.rasterize(scenario.sources[0].geometry).sum())
    volume_m3_per_day = LEAKAGE_MM_PER_YR / 1000 * cells * CELL_M**2 / DAYS_PER_YEAR
    by_volume = load_scenario(_document({"leakage_m3_per_day": volume_m3_per_day}))
    np.testing.assert_allclose(flow_field(by_volume).head_m, flow.head_m, rtol=0, atol=1e-9)
    assert _outflow_m3_per_yr(by_volume, flow_field(by_volume)) == pytest.approx(
        volume_m3_per_day * DAYS_PER_YEAR, rel=1e-9
    )


def test_under_uniform_flow_the_mound_is_superposed_and_vanishes_at_the_edges():
    document = _document({"leakage_mm_per_yr": LEAKAGE_MM_PER_YR})
    edge_ring = document["flow"]["fixed_head"][0]
    x0, y0, x1, y1 = document["grid"]["bounds_m"]
    inner = shapely.box(x0 + CELL_M, y0 + CELL_M, x1 - CELL_M, y1 - CELL_M)
    edge_ring.update(geometry=shapely.box(x0, y0, x1, y1).difference(inner).wkt, head_m=0.0)
    ringed = flow_field(load_scenario(document))  # the mound alone, head-driven
    document["flow"] = {"velocity_m_per_yr": 30.0, "direction_deg": 200.0}
    scenario = load_scenario(document)
    flow = flow_field(scenario)
    vx, vy = uniform_face_velocities(scenario.grid.shape, 30.0, 200.0)
    np.testing.assert_allclose(flow.vx_face_m_per_yr - vx, ringed.vx_face_m_per_yr, atol=1e-9)
    np.testing.assert_allclose(flow.vy_face_m_per_yr - vy, ringed.vy_face_m_per_yr, atol=1e-9)
    still = load_scenario(_document({}) | {"flow": document["flow"]})
    np.testing.assert_array_equal(flow_field(still).vx_face_m_per_yr, vx)
    assert any("leaks water" in line and "superposed" in line for line in assumptions(scenario))
