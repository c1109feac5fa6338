"""The arrays a split step reads beyond its region (atlas.plume.scheme.advance): a face value at
the region's edge is reconstructed from the cell just outside it, so there every array a step
reads must hold the concentration, also after a dispersive step redone on a wider region than
the next step's (found in review: the arrays kept the redone step's values there)."""

import numpy as np
import pytest

from atlas.plume import rkl2, scheme
from atlas.plume import stages as stages_module

NO_RATES = (np.zeros(0, np.int64), np.zeros(0))


def _spike(seed: int, n: int = 24):
    """A spike on a background below the floor, in uniform oblique flow: RKL2 overshoots next to
    the spike, so the first dispersive step is redone on a region wider than the box."""
    rng = np.random.default_rng(seed)
    vx = np.full((n, n + 1), rng.uniform(0.1, 1.0))
    vy = np.full((n + 1, n), rng.uniform(-1.0, 1.0))
    dispersion = scheme.face_dispersion(vx, vy, 2.0, 0.4, 0.0)
    dt = scheme.stable_time_step_yr(vx, vy, dispersion, 1.0, 1.0)
    conc = 0.5 * rng.random((n, n))
    conc[rng.integers(8, 16), rng.integers(8, 16)] = 1000.0
    return (
        conc,
        dt,
        scheme.advective_flow(vx, vy),
        dispersion,
        scheme.sink_rate_per_yr(vx, vy, 1.0, 1.0),
    )


def _outside(a: np.ndarray, b: np.ndarray, region: tuple[int, int, int, int]) -> bool:
    """Whether ``a`` and ``b`` are equal outside ``region``."""
    mask = np.ones(a.shape, bool)
    mask[region[0] : region[1], region[2] : region[3]] = False
    return np.array_equal(a[mask], b[mask])


@pytest.mark.parametrize("fourth_order", [False, True])
@pytest.mark.parametrize("seed", [20, 33])
def test_every_array_a_step_reads_holds_the_concentration_beyond_its_region(
    monkeypatch, seed, fourth_order
):
    conc, dt, flow, dispersion, sink = _spike(seed)
    fe_limits = dt * scheme.dispersive_limit_per_yr(dispersion, 1.0)
    held = (np.zeros(0, np.int64), np.zeros(0), np.zeros(conc.shape, bool))
    seen: list[tuple[str, bool]] = []
    advect, disperse, correct = scheme._advect, scheme.disperse, scheme.correct

    def checked_advect(current, spare, region, *args):
        stage = args[-1]
        seen.append(
            ("advect", _outside(current, spare, region) and _outside(current, stage, region))
        )
        return advect(current, spare, region, *args)

    def checked_disperse(current, spare, region, *args):
        agree = _outside(current, spare, region)
        done = disperse(current, spare, region, *args)
        seen.append(("widened" if done[1] != region else "disperse", agree))
        return done

    def checked_correct(current, spare, region, *args):
        # it reads the cells just beyond the region (its partners' bounds) from spare
        seen.append(("correct", _outside(current, spare, region)))
        return correct(current, spare, region, *args)

    monkeypatch.setattr(scheme, "_advect", checked_advect)
    monkeypatch.setattr(scheme, "disperse", checked_disperse)
    monkeypatch.setattr(scheme, "correct", checked_correct)
    scheme.advance.py_func(
        conc, scheme.work_arrays(conc.shape), 8, dt, 1.0, flow, dispersion, fe_limits, sink,
        1.0, 1.0, held, NO_RATES, 1.0, 0, fourth_order,
    )  # fmt: skip
    assert ("widened", True) in seen  # the case redoes a step on a wider region
    assert (("correct", True) in seen) == fourth_order
    assert all(agree for _, agree in seen), seen


def test_a_dispersive_step_is_accepted_only_if_its_held_cells_are_within_the_bounds():
    """Held cells are written back after the result's range is taken, so their values are
    checked too (found in review): a held value above everything else is out of bounds, and
    the step is redone, not accepted with it."""
    conc, dt, _, dispersion, _ = _spike(1)
    conc[:] = 0.0
    conc[12, 12] = 1.0
    held_cell = np.zeros(conc.shape, bool)
    held_cell[4, 4] = True
    held = (np.flatnonzero(held_cell), np.array([2.0]), held_cell)  # not in conc
    fe_limits = 0.5 * dt * scheme.dispersive_limit_per_yr(dispersion, 1.0)
    stages = rkl2.stages_for(fe_limits)
    out = conc.copy()
    region = (0, 24, 0, 24)
    _, done = rkl2.disperse(
        conc, out, region, 0.5 * dt, fe_limits, rkl2.coefficients(stages, 0.5 * dt),
        dispersion, 1.0, held, NO_RATES,
    )  # fmt: skip
    assert out[done[0] : done[1], done[2] : done[3]].max() <= 1.0


@pytest.mark.parametrize("fe_limits", [2.6, 3.6, 5.6])  # 3, 4 and 6 Heun substeps
def test_a_redone_dispersive_step_leaves_its_last_substep_in_out(fe_limits):
    """The redo's substeps alternate between the two arrays: whichever the last one wrote, the
    step's result is in ``out`` (an even number of substeps is copied there)."""
    conc, _, _, dispersion, _ = _spike(5)
    conc[:] = 0.0
    conc[12, 12] = 1000.0
    dt = fe_limits / scheme.dispersive_limit_per_yr(dispersion, 1.0)
    region = (6, 18, 6, 18)
    held = (np.zeros(0, np.int64), np.zeros(0), np.zeros(conc.shape, bool))
    out = conc.copy()
    stages = rkl2.stages_for(fe_limits)
    _, wide = rkl2.disperse(
        conc.copy(), out, region, dt, fe_limits, rkl2.coefficients(stages, dt), dispersion, 1.0,
        held, NO_RATES,
    )  # fmt: skip
    assert wide != region  # the super-step left its bounds next to the spike: redone
    substeps = int(np.ceil(fe_limits))
    h = dt / substeps
    heun = np.array([[1.0, 0.0, 0.0, h, 0.0], [0.0, 0.0, 1.0, 0.5 * h, 0.5 * h]])
    expected = conc.copy()
    for _ in range(substeps):
        after = expected.copy()
        stages_module.dispersive_chain(
            expected, wide, dispersion, 1.0, held, NO_RATES, heun, after, True
        )
        expected = after
    np.testing.assert_array_equal(
        out[wide[0] : wide[1], wide[2] : wide[3]], expected[wide[0] : wide[1], wide[2] : wide[3]]
    )
