"""The transport step on numba's threads: the same numbers, bit for bit, on 1 or 2 threads.

Rows go to the threads in fixed chunks (``atlas.plume.stages.chunk_rows``) and every sum (held
inflow, outflow, clipped mass, decay) is taken row by row in a fixed order, so the thread count
cannot change a result (test_plume_chains compares the chunks with one sweep). The case
exercises every kernel: a heterogeneous Darcy field oblique to the grid (wide dispersive
stencils), a held block, a mass-rate source, decay and sorption, and an initial plume over the
whole grid, so that every stage is large enough to run on the threads
(``atlas.plume.regions.PARALLEL_CELLS``).
"""

import numba
import numpy as np
import pytest
from scipy.ndimage import gaussian_filter

from atlas.plume import flow, fourth_order, scheme
from atlas.plume.jit import numba_threads
from atlas.plume.regions import PARALLEL_CELLS, threaded
from atlas.plume.transport import (
    FixedConcentrationSource,
    MassRateSource,
    TransportParameters,
    simulate,
)

pytestmark = pytest.mark.skipif(
    numba.config.NUMBA_NUM_THREADS < 2, reason="numba's thread pool has a single thread here"
)


def _run(threads: int):
    n, dx = 512, 20.0
    rng = np.random.default_rng(11)
    k = np.exp(gaussian_filter(rng.normal(0.0, 1.0, (n, n)), 4) * 3 + 2)
    heads = np.full((n, n), np.nan)
    heads[:, 0], heads[-1, :] = 120.0, 100.0  # flow toward the north-east, oblique
    vx, vy = flow.darcy_face_velocities(flow.steady_heads(k, 10.0, dx, heads, 0.0), k, 0.25, dx)
    block = np.zeros((n, n), bool)
    block[100:104, 50:54] = True
    point = np.zeros((n, n), bool)
    point[260, 160] = True
    offset = (np.arange(n) - n / 2) / (n / 6)
    initial = 50.0 * np.exp(-0.5 * (offset[:, None] ** 2 + offset[None, :] ** 2))
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        return simulate(
            cell_size_m=dx,
            vx_face_m_per_yr=vx,
            vy_face_m_per_yr=vy,
            parameters=TransportParameters(
                effective_porosity=0.25,
                thickness_m=10.0,
                longitudinal_dispersivity_m=40.0,
                transverse_dispersivity_m=4.0,
                retardation=1.5,
                half_life_yr=80.0,
            ),
            output_times_yr=[0.5, 1.0],
            initial_mg_per_l=initial,
            sources=[FixedConcentrationSource(block, 100.0), MassRateSource(point, 500.0)],
        )
    finally:
        numba.set_num_threads(previous)


def test_one_and_two_threads_give_identical_bits():
    one, two = _run(1), _run(2)
    assert np.count_nonzero(one.concentration_mg_per_l[0] > 0) >= PARALLEL_CELLS
    assert np.array_equal(one.concentration_mg_per_l, two.concentration_mg_per_l)
    for name in ("mass_in_kg", "mass_out_kg", "mass_decayed_kg", "mass_stored_kg"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    assert one.n_steps == two.n_steps


def test_the_fourth_order_correction_gives_the_same_bits_on_threads_as_row_by_row():
    """:func:`atlas.plume.fourth_order.correct` on a region large enough for the threads and
    inside the grid's edges, in a flow that turns across the grid (offsets both ways along
    x), with the limiter active and round-off clipped (a noisy plume beside clean water) and
    held cells inside and on the region's edge: on 1 and 2 threads the same bits as row by row
    (:func:`atlas.plume.fourth_order._pass`), the same clipped mass."""
    n = 520
    x = np.mgrid[0 : n + 1, 0 : n + 1][1]
    angle = np.radians(20.0 + 140.0 * x / n)
    vx, vy = (30.0 * np.cos(angle))[:n, :], (30.0 * np.sin(angle))[:, :n]
    dispersion = scheme.face_dispersion(vx, vy, 40.0, 4.0, 0.0)
    assert any(ex < 0 for ex, _ in dispersion[0].tolist())
    rng = np.random.default_rng(5)
    offset = (np.arange(n) - n / 2) / (n / 8)
    conc = 50.0 * np.exp(-0.5 * (offset[:, None] ** 2 + offset[None, :] ** 2))
    conc *= rng.uniform(0.0, 2.0, (n, n)) * (rng.random((n, n)) < 0.7)
    region = (3, n - 2, 4, n - 1)
    assert threaded(region)
    held_cells = np.array([3 * n + 4, 200 * n + 300, (n - 3) * n + n - 2], dtype=np.int64)
    held_mask = np.zeros(n * n, bool)
    held_mask[held_cells] = True
    held = (held_cells, conc.ravel()[held_cells].copy(), held_mask.reshape(n, n))
    fields, clipped = [], []
    for count in (1, 2):
        field, work = conc.copy(), fourth_order.work_arrays(dispersion)
        with numba_threads(count):
            args = (region, 0.4, 3.0, dispersion, 1 / 400, held, work)
            clipped.append(fourth_order.correct(field, conc.copy(), *args))
        fields.append(field)
    scale = 0.4 / fourth_order.passes(3.0) * (1 / 400) / 12.0  # as correct computes it
    rows, total = conc.copy(), 0.0
    work = fourth_order.work_arrays(dispersion)
    for _ in range(fourth_order.passes(3.0)):
        before = rows.copy()
        fourth_order._pass(before, rows, region, dispersion, scale, held_cells, *work)
        total += work[2][region[0] : region[1]].sum()
    assert np.array_equal(fields[0], fields[1])
    assert np.array_equal(fields[1], rows)
    assert clipped[0] == clipped[1]
    assert clipped[1] > 0.0  # round-off was clipped, so the sums are compared
    assert clipped[1] == pytest.approx(total, rel=1e-12)
    assert np.abs(fields[1] - conc).max() > 1e-3  # the correction did act
    assert np.array_equal(fields[1].ravel()[held_cells], conc.ravel()[held_cells])
