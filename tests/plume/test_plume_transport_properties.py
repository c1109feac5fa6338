"""Properties of the transport engine that must hold for any input: budget, bounds, symmetry."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.errors import AtlasError, GridError
from atlas.plume import flow
from atlas.plume.transport import (
    FixedConcentrationSource,
    MassRateSource,
    TransportParameters,
    simulate,
)

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def transport_cases(draw, mass_rate=True):
    """A small random grid, flow field, parameters, initial field and sources."""
    ny, nx = draw(st.integers(1, 9)), draw(st.integers(2, 9))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dx = draw(st.floats(5.0, 100.0))
    if draw(st.booleans()):  # a Darcy field: heterogeneous, recharge, fixed-head sinks
        k = np.exp(rng.normal(1.0, 1.5, (ny, nx)))
        heads = np.full((ny, nx), np.nan)
        heads[rng.integers(ny), rng.integers(nx)] = 100.0
        heads[rng.integers(ny), rng.integers(nx)] = 100.0 + rng.uniform(-5.0, 5.0)
        solved = flow.steady_heads(k, 10.0, dx, heads, rng.uniform(0.0, 0.3))
        vx, vy = flow.darcy_face_velocities(solved, k, 0.25, dx)
    else:
        speed = draw(st.floats(0.0, 60.0))
        vx, vy = flow.uniform_face_velocities((ny, nx), speed, draw(st.floats(0.0, 360.0)))
    alpha_l = draw(st.floats(0.0, 50.0))
    params = TransportParameters(
        effective_porosity=draw(st.floats(0.05, 0.4)),
        thickness_m=draw(st.floats(1.0, 50.0)),
        longitudinal_dispersivity_m=alpha_l,
        transverse_dispersivity_m=alpha_l * draw(st.floats(0.0, 1.0)),
        retardation=draw(st.floats(1.0, 4.0)),
        half_life_yr=draw(st.one_of(st.none(), st.floats(1.0, 500.0))),
        molecular_diffusion_m2_per_yr=draw(st.sampled_from([0.0, 0.03, 5.0])),
    )
    initial = rng.uniform(0.0, 1.0, (ny, nx)) * (rng.uniform(size=(ny, nx)) < 0.3)
    speed = float(max(np.abs(vx).max(), np.abs(vy).max()))
    rate_per_yr = (4 * speed / dx + 12 * (alpha_l * speed + 5.0) / dx**2) / params.retardation
    end_yr = 60.0 / max(rate_per_yr, 1e-3)  # at most a few hundred steps
    times = np.sort(rng.uniform(0.0, end_yr, 3))
    sources = []
    for _ in range(draw(st.integers(0, 2))):
        mask = rng.uniform(size=(ny, nx)) < 0.2
        mask.flat[rng.integers(mask.size)] = True
        start, stop = np.sort(rng.uniform(0.0, 1.2 * end_yr, 2))
        if mass_rate and draw(st.booleans()):
            well = draw(st.booleans())
            sources.append(MassRateSource(mask, rng.uniform(0.0, 10.0), start, stop, well))
        else:
            sources.append(FixedConcentrationSource(mask, rng.uniform(0.0, 2.0), start, stop))
    return {
        "cell_size_m": dx,
        "vx_face_m_per_yr": vx,
        "vy_face_m_per_yr": vy,
        "parameters": params,
        "initial_mg_per_l": initial,
        "sources": sources,
        "output_times_yr": times,
    }


@PROPERTY_SETTINGS
@given(transport_cases())
def test_mass_budget_closes(case):
    result = simulate(**case)
    scale = max(
        result.initial_mass_kg,
        result.mass_in_kg.max(),
        result.mass_out_kg.max(),
        result.mass_stored_kg.max(),
        1e-300,
    )
    assert np.abs(result.mass_balance_error_kg).max() <= 1e-9 * scale
    assert (result.mass_out_kg >= -1e-12 * scale).all()
    assert (np.diff(result.mass_decayed_kg) >= 0).all()


@PROPERTY_SETTINGS
@given(transport_cases(mass_rate=False))
def test_concentrations_stay_between_zero_and_the_largest_input(case):
    result = simulate(**case)
    ceiling = max(
        [case["initial_mg_per_l"].max()] + [s.concentration_mg_per_l for s in case["sources"]]
    )
    c = result.concentration_mg_per_l
    assert c.min() >= -1e-13 * max(ceiling, 1.0)
    assert c.max() <= ceiling * (1 + 1e-12) + 1e-300


def rotate_case(case):
    """The same problem turned 90 degrees counterclockwise (flow azimuth + 90 degrees)."""
    turned = dict(case)
    turned["vx_face_m_per_yr"] = np.rot90(case["vy_face_m_per_yr"])
    turned["vy_face_m_per_yr"] = -np.rot90(case["vx_face_m_per_yr"])
    turned["initial_mg_per_l"] = np.rot90(case["initial_mg_per_l"])
    turned["sources"] = [replace(s, mask=np.rot90(s.mask)) for s in case["sources"]]
    return turned


@PROPERTY_SETTINGS
@given(transport_cases())
def test_turning_the_flow_by_90_degrees_turns_the_plume(case):
    first = simulate(**case).concentration_mg_per_l
    turned = simulate(**rotate_case(case)).concentration_mg_per_l
    expected = np.rot90(first, axes=(1, 2))
    np.testing.assert_allclose(turned, expected, rtol=1e-9, atol=1e-12 * max(first.max(), 1.0))


def test_a_source_where_the_flow_brings_its_own_concentration_turns_to_round_off():
    """There a fed cell's net advective rate is round-off, whose sign can change when the grid
    is turned. The source's share between the split operators must not follow it: it did,
    and the turned plume differed by 4e-10 of its peak (2e-16 now)."""
    vx, vy = flow.uniform_face_velocities((6, 8), 1.0, 60.0)
    case = {
        "cell_size_m": 9.0,
        "vx_face_m_per_yr": vx,
        "vy_face_m_per_yr": vy,
        "parameters": TransportParameters(0.25, 2.0, 9.0, 9.0),
        "initial_mg_per_l": np.random.default_rng(11).choice([1.0, 2.0], (6, 8)),
        "sources": [MassRateSource(np.ones((6, 8), bool), 0.5)],
        "output_times_yr": [3.0],
    }
    first = simulate(**case).concentration_mg_per_l
    turned = simulate(**rotate_case(case)).concentration_mg_per_l
    np.testing.assert_allclose(turned, np.rot90(first, axes=(1, 2)), rtol=0, atol=1e-13)


def test_uniform_azimuths_90_apart_give_turned_plumes():
    n, dx = 41, 20.0
    source = np.zeros((n, n), bool)
    source[12:15, 10:13] = True
    params = TransportParameters(0.25, 10.0, 20.0, 4.0)
    runs = []
    for direction, mask in ((30.0, source), (120.0, np.rot90(source))):
        vx, vy = flow.uniform_face_velocities((n, n), 20.0, direction)
        runs.append(
            simulate(
                cell_size_m=dx,
                vx_face_m_per_yr=vx,
                vy_face_m_per_yr=vy,
                parameters=params,
                sources=[FixedConcentrationSource(mask, 1.0)],
                output_times_yr=[15.0],
            ).concentration_mg_per_l[0]
        )
    np.testing.assert_allclose(runs[1], np.rot90(runs[0]), atol=1e-12)


@pytest.mark.parametrize("direction", [90.0, 45.0])
def test_symmetric_source_gives_a_symmetric_plume(direction):
    n, dx = 31, 20.0
    source = np.zeros((n, n), bool)
    source[8:11, 8:11] = True  # symmetric about the flow axis for both azimuths below
    vx, vy = flow.uniform_face_velocities((n, n), 25.0, direction)
    if direction == 90.0:
        source = np.zeros((n, n), bool)
        source[14:17, 4:7] = True
        vy[:] = 0.0  # exactly along x
    c = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=TransportParameters(0.25, 10.0, 30.0, 3.0, half_life_yr=40.0),
        sources=[FixedConcentrationSource(source, 2.0, end_yr=8.0)],
        output_times_yr=[5.0, 12.0],
    ).concentration_mg_per_l
    mirrored = c[:, ::-1, :] if direction == 90.0 else np.swapaxes(c, 1, 2)
    assert c[-1].max() > 0.01  # a plume is there to compare
    np.testing.assert_allclose(c, mirrored, rtol=0, atol=1e-13)


def test_retardation_slows_the_plume_by_exactly_r():
    n, dx, r = 20, 20.0, 2.5
    vx, vy = flow.uniform_face_velocities((n, n), 20.0, 60.0)
    source = np.zeros((n, n), bool)
    source[3, 3] = True

    def run(retardation, end_yr):
        return simulate(
            cell_size_m=dx,
            vx_face_m_per_yr=vx,
            vy_face_m_per_yr=vy,
            parameters=TransportParameters(0.25, 10.0, 20.0, 5.0, retardation=retardation),
            sources=[FixedConcentrationSource(source, 1.0)],
            output_times_yr=[end_yr],
        )

    fast, slow = run(1.0, 10.0), run(r, 10.0 * r)
    assert fast.n_steps == slow.n_steps
    np.testing.assert_allclose(slow.concentration_mg_per_l, fast.concentration_mg_per_l, atol=1e-13)
    np.testing.assert_allclose(slow.mass_stored_kg, r * fast.mass_stored_kg, rtol=1e-12)


def test_decay_without_flow_is_exponential_and_counted():
    vx, vy = np.zeros((3, 5)), np.zeros((4, 4))
    params = TransportParameters(0.3, 5.0, 10.0, 1.0, retardation=2.0, half_life_yr=7.0)
    result = simulate(
        cell_size_m=10.0,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=params,
        initial_mg_per_l=np.full((3, 4), 4.0),
        output_times_yr=[0.0, 7.0, 21.0],
    )
    np.testing.assert_allclose(result.concentration_mg_per_l[:, 0, 0], [4.0, 2.0, 0.5], rtol=1e-12)
    initial_kg = 12 * 4.0 * 2.0 * 0.3 * 5.0 * 100.0 * 1e-3
    assert result.initial_mass_kg == pytest.approx(initial_kg, rel=1e-14)
    np.testing.assert_allclose(result.mass_decayed_kg, initial_kg * np.array([0, 0.5, 0.875]))


def test_steps_land_on_source_switches_and_outputs():
    vx, vy = flow.uniform_face_velocities((1, 30), 20.0, 90.0)
    inlet = np.zeros((1, 30), bool)
    inlet[0, 0] = True
    fractions = []
    result = simulate(
        cell_size_m=10.0,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=TransportParameters(0.25, 10.0, 10.0, 1.0, half_life_yr=3.0),
        sources=[FixedConcentrationSource(inlet, 1.0, start_yr=0.37, end_yr=3.3)],
        output_times_yr=[0.2, 3.3, 5.0],
        progress=fractions.append,
    )
    c = result.concentration_mg_per_l[:, 0, 0]
    assert c[0] == 0.0  # not yet switched on
    assert c[1] == 1.0  # held until the end, decay undone by the hold
    assert 0.0 < c[2] < 1.0  # then released
    # advection alone sets the step (2 v / dx); dispersion takes super-steps over it
    assert result.time_step_yr <= 0.9 / (2 * 20.0 / 10.0) + 1e-12
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


def test_mass_rate_source_adds_exactly_its_mass():
    vx, vy = flow.uniform_face_velocities((5, 5), 0.0, 0.0)
    cells = np.zeros((5, 5), bool)
    cells[2, 1:4] = True
    params = TransportParameters(0.2, 4.0, 0.0, 0.0, molecular_diffusion_m2_per_yr=50.0)
    result = simulate(
        cell_size_m=10.0,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=params,
        sources=[MassRateSource(cells, 3.0, start_yr=1.0, end_yr=2.5)],
        output_times_yr=[1.0, 2.0, 4.0],
    )
    np.testing.assert_allclose(result.mass_in_kg, [0.0, 3.0, 4.5], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(result.mass_stored_kg, result.mass_in_kg, rtol=1e-12, atol=1e-15)


def test_river_cells_of_a_darcy_field_drain_the_plume():
    ny, nx, dx = 5, 40, 50.0
    k = np.full((ny, nx), 10.0)
    heads = np.full((ny, nx), np.nan)
    heads[:, -1] = 1000.0  # a river along the east edge
    solved = flow.steady_heads(k, 20.0, dx, heads, 0.1)
    vx, vy = flow.darcy_face_velocities(solved, k, 0.25, dx)
    result = simulate(
        cell_size_m=dx,
        vx_face_m_per_yr=vx,
        vy_face_m_per_yr=vy,
        parameters=TransportParameters(0.25, 20.0, 10.0, 1.0),
        initial_mg_per_l=np.where(np.arange(nx) < 25, 1.0, 0.0)[None, :].repeat(ny, 0),
        output_times_yr=[50.0, 400.0],
    )
    assert result.mass_out_kg[-1] > 0.5 * result.initial_mass_kg
    assert result.concentration_mg_per_l.max() <= 1.0
    assert abs(result.mass_balance_error_kg).max() <= 1e-12 * result.initial_mass_kg


def test_invalid_parameters_are_all_reported_at_once():
    with pytest.raises(AtlasError) as caught:
        TransportParameters(1.5, -1.0, 10.0, float("nan"), retardation=0.5, half_life_yr=0.0)
    wheres = [p.where for p in caught.value.problems]
    assert wheres == [
        "effective_porosity",
        "thickness_m",
        "transverse_dispersivity_m",
        "retardation",
        "half_life_yr",
    ]


@pytest.mark.parametrize(
    ("change", "error", "word"),
    [
        ({"output_times_yr": [2.0, 1.0]}, AtlasError, "strictly increasing"),
        ({"output_times_yr": []}, AtlasError, "non-empty"),
        ({"initial_mg_per_l": -np.ones((3, 4))}, GridError, ">= 0"),
        ({"initial_mg_per_l": np.ones((4, 3))}, GridError, "grid shape"),
        ({"vy_face_m_per_yr": np.zeros((3, 4))}, GridError, r"\(ny \+ 1, nx\)"),
        ({"cell_size_m": 0.0}, GridError, "cell_size_m"),
        ({"sources": [MassRateSource(np.ones((2, 2), bool), 1.0)]}, GridError, "sources\\[0\\]"),
    ],
)
def test_bad_inputs_are_errors_that_name_the_input(change, error, word):
    vx, vy = flow.uniform_face_velocities((3, 4), 10.0, 90.0)
    inputs = {
        "cell_size_m": 10.0,
        "vx_face_m_per_yr": vx,
        "vy_face_m_per_yr": vy,
        "parameters": TransportParameters(0.25, 10.0, 10.0, 1.0),
        "output_times_yr": [1.0],
    }
    with pytest.raises(error, match=word):
        simulate(**{**inputs, **change})


def test_sources_check_their_own_values():
    with pytest.raises(AtlasError, match="end_yr"):
        FixedConcentrationSource(np.ones((2, 2), bool), 1.0, start_yr=5.0, end_yr=5.0)
    with pytest.raises(AtlasError, match="mask"):
        MassRateSource(np.zeros((2, 2), bool), 1.0)
    with pytest.raises(AtlasError, match="mass_rate_kg_per_yr"):
        MassRateSource(np.ones((2, 2), bool), -1.0)
    assert math.isinf(FixedConcentrationSource(np.ones((2, 2)), 1.0).end_yr)


def test_a_dispersive_super_step_that_would_undershoot_is_redone_within_bounds():
    # a sharp 2-D peak in still water: one RKL2 super-step of 6.4 forward-Euler limits alone
    # undershoots to about -0.02 here; the checked step must stay within [0, peak] and conserve
    initial = np.zeros((4, 5))
    initial[0, :2] = [0.64, 0.27]
    initial[2, 2] = 0.86
    params = TransportParameters(0.25, 1.0, 0.0, 0.0, molecular_diffusion_m2_per_yr=5.0)
    result = simulate(
        cell_size_m=5.0,
        vx_face_m_per_yr=np.zeros((4, 6)),
        vy_face_m_per_yr=np.zeros((5, 5)),
        parameters=params,
        initial_mg_per_l=initial,
        output_times_yr=[8.0, 14.0],
    )
    c = result.concentration_mg_per_l
    assert c.min() >= 0.0
    assert c.max() <= 0.86
    assert abs(result.mass_balance_error_kg).max() <= 1e-12 * result.initial_mass_kg
