"""Chains of stages in one sweep (atlas.plume.stages): the order of the rows keeps every stage's
reads ahead of the writes that overwrite them, and a chain gives the same bits as its stages
taken one after the other, in one sweep or in chunks with halos."""

import numpy as np
import pytest

from atlas.plume import regions, scheme, stages
from atlas.plume.selling import dispersion_reach


@pytest.mark.parametrize(
    ("chunk", "region", "n_stages", "lag"),
    [
        ((0, 40), (0, 40, 0, 5), 2, 2),
        ((64, 128), (3, 300, 0, 5), 2, 2),
        ((64, 128), (70, 120, 0, 5), 3, 1),
        ((10, 30), (0, 200, 0, 5), 5, 2),
        ((0, 200), (0, 200, 0, 5), 1, 3),
    ],
)
def test_the_schedule_reads_every_row_before_it_is_overwritten(chunk, region, n_stages, lag):
    """Stage ``k`` computes the chunk's rows widened by its halo, and row ``j`` of it only once
    stage ``k - 1`` has computed rows ``j - lag .. j + lag`` (which it reads) and before stage
    ``k + 1`` computes row ``j`` (which overwrites ``Y_{k-1}`` there): every row of stage
    ``k - 1`` that row ``j`` of stage ``k`` reads is computed before it, and none after."""
    lines = stages.schedule(chunk, region, n_stages, lag)
    when = {(int(k), int(j)): n for n, (k, j, _) in enumerate(lines)}
    assert len(when) == len(lines)  # no row of a stage twice
    for k in range(n_stages):
        halo = (n_stages - 1 - k) * lag
        rows = range(max(chunk[0] - halo, region[0]), min(chunk[1] + halo, region[1]))
        assert sorted(j for kk, j in when if kk == k) == list(rows)
        assert all(start == rows[0] for kk, _, start in lines if kk == k)
    for (k, j), n in when.items():
        if k == 0:
            continue
        for read in range(max(j - lag, region[0]), min(j + lag + 1, region[1])):
            assert when[(k - 1, read)] < n  # read, and computed before
        # a later line of stage k - 1 would write Y_k, which row j of stage k + 1 reads; one of
        # stage k - 2 would overwrite what this line still reads
        later = [kk for (kk, jj), m in when.items() if m > n and abs(jj - j) <= lag]
        assert all(kk >= k for kk in later)


@pytest.mark.parametrize(("n_stages", "lag"), [(2, 2), (3, 1), (4, 2), (20, 3)])
@pytest.mark.parametrize("height", [300, 1000, 2048])
def test_no_two_chunks_of_a_phase_write_the_same_row(n_stages, lag, height):
    """On the threads the even chunks run together, then the odd ones: the rows each writes
    (its own and its halo, every stage) never meet those of another chunk of its phase, and
    every row of the region is computed by a stage of some chunk."""
    region = (5, 5 + height, 0, 10)
    rows = stages.chunk_rows(n_stages, lag)
    count = -(-height // rows)
    written = [
        {
            int(j)
            for _, j, _ in stages.schedule(stages.chunk(region, rows, c), region, n_stages, lag)
        }
        for c in range(count)
    ]
    assert set().union(*written) == set(range(region[0], region[1]))
    for phase in (0, 1):
        mine = written[phase::2]
        assert sum(len(w) for w in mine) == len(set().union(*mine))


def _ring_reads_hold(lines, region, n_stages: int, lag: int, rows: tuple[int, int]) -> bool:
    """Whether, in rings of ``rows`` (first rate, pair) rows, every read of a dispersive chain
    finds the row of the stage it wants: ``Y_k`` at rows ``j - lag .. j + lag`` of the region
    (stage ``k``), ``Y_{k-1}`` and the first rate at row ``j``."""
    held: dict[tuple[str, int], tuple[int, int]] = {}
    ring = {"rate": rows[0], "pair 0": rows[1], "pair 1": rows[1]}

    def slot(name: str, row: int) -> tuple[str, int]:
        return name, row % ring[name]

    for k, j, _ in lines:
        k, j = int(k), int(j)
        reads = []
        if k >= 1:
            pair = "pair 0" if k % 2 == 1 else "pair 1"
            lo, hi = max(j - lag, region[0]), min(j + lag + 1, region[1])
            reads += [(slot(pair, r), (k, r)) for r in range(lo, hi)]
            reads.append((slot("rate", j), (0, j)))
        if k >= 2:
            reads.append((slot("pair 0" if k % 2 == 0 else "pair 1", j), (k - 1, j)))
        if any(held.get(where) != wanted for where, wanted in reads):
            return False
        if k == 0:
            held[slot("rate", j)] = (0, j)
        if k < n_stages - 1:
            held[slot("pair 0" if k % 2 == 0 else "pair 1", j)] = (k + 1, j)
    return True


@pytest.mark.parametrize(
    ("chunk", "region", "n_stages", "lag"),
    [
        ((0, 40), (0, 40, 0, 5), 2, 2),
        ((64, 128), (3, 300, 0, 5), 3, 1),
        ((64, 192), (0, 300, 0, 5), 4, 2),
        ((10, 30), (0, 200, 0, 5), 9, 2),
        ((0, 200), (0, 200, 0, 5), 20, 3),
        ((160, 480), (0, 900, 0, 5), 20, 5),  # a dispersive reach of 5 cells
        ((0, 96), (40, 60, 0, 5), 7, 8),  # a region of fewer rows than a ring
    ],
)
def test_the_rings_of_a_chain_are_long_enough(chunk, region, n_stages, lag):
    """A chain's first rate and its stages between the first and the last are kept in rings of
    rows: with the rows :func:`stages._rings` gives (powers of two), each read finds the row of
    the stage it wants; with a rate's ring of ``(n_stages - 1) lag`` rows, in a region taller
    than that, one does not (the bound it is rounded up from is the least)."""
    lines = stages.schedule(chunk, region, n_stages, lag)
    rate, pair, _ = stages._rings(n_stages, lag, 1, True)
    rows = (rate.shape[0], pair.shape[0])
    assert all(n & (n - 1) == 0 for n in rows)
    assert _ring_reads_hold(lines, region, n_stages, lag, rows)
    if n_stages > 1 and region[1] - region[0] > rows[0]:  # a region taller than the ring
        shorter = ((n_stages - 1) * lag, rows[1])
        assert not _ring_reads_hold(lines, region, n_stages, lag, shorter)


def _case(seed: int, ny: int, nx: int):
    rng = np.random.default_rng(seed)
    vx = rng.normal(size=(ny, nx + 1)) + 0.3
    vy = rng.normal(size=(ny + 1, nx)) - 0.2
    advective, sink = scheme.advective_flow(vx, vy), scheme.sink_rate_per_yr(vx, vy, 1.0, 1.0)
    dispersion = scheme.face_dispersion(vx, vy, 1.0, 0.1, 0.001)
    x = rng.random((ny, nx))
    fixed = rng.random((ny, nx)) < 0.01
    held = (np.flatnonzero(fixed), x[fixed].copy(), fixed)
    region = (3, ny - 1, 1, nx - 2)
    inside = np.zeros((ny, nx), bool)
    inside[3 : ny - 1, 1 : nx - 2] = True
    cells = np.sort(rng.choice(np.flatnonzero(inside), 50, replace=False)).astype(np.int64)
    return rng, x, region, advective, sink, dispersion, held, (cells, rng.random(50))


def _assert_ranges(ranges: np.ndarray, y0: np.ndarray, out: np.ndarray, region) -> None:
    """The ranges a chain returns are those of its start and its result in the region."""
    expected = [regions.value_range(region, field) for field in (y0, out)]
    np.testing.assert_array_equal(ranges, np.array(expected))


def _stage_by_stage(region: tuple[int, int, int, int], n_stages: int) -> np.ndarray:
    """A schedule that takes the stages one after the other, each over every row."""
    rows = np.arange(region[0], region[1])
    return np.array(
        [(k, j, region[0]) for k in range(n_stages) for j in rows], dtype=np.int64
    ).reshape(-1, 3)


@pytest.mark.parametrize(("ny", "nx"), [(40, 37), (530, 521)])  # one sweep; chunks on threads
def test_a_chain_gives_what_its_stages_give_one_after_the_other(ny, nx):
    """An advective chain (Heun's two stages, and three stages with every coefficient set, so
    that the pair of arrays alternates) and a four-stage dispersive chain write the same bits and
    return the same sums as the same stages taken one after the other over the whole region;
    the larger grid runs in chunks with halos, on the threads (a store lost inside the parallel
    loop, or a halo too narrow, would show)."""
    rng, x, region, advective, sink, dispersion, held, sources = _case(3, ny, nx)
    assert (stages._cells(region) >= regions.PARALLEL_CELLS) == (ny > 100)
    fixed, source_rows = held[2], stages._source_rows(sources, ny, nx)
    heun = np.array([[1.0, 0.0, 0.0, 0.01, 0.0], [0.0, 0.0, 1.0, 0.005, 0.005]])
    three = rng.uniform(0.05, 0.5, (3, 5))
    for combinations in (heun, three):
        for skew in (True, False):
            base = [rng.random((ny, nx)) for _ in range(4)]
            chained, one_by_one = tuple(a.copy() for a in base[1:]), tuple(a.copy() for a in base)
            sums, ranges = stages.advective_chain(
                x, region, advective, sink, 0.5, held, sources, combinations, chained,
                True, skew,
            )  # fmt: skip
            n = len(combinations)
            per_row = (
                fixed, source_rows, np.zeros((n, ny)), np.zeros((n, ny)),
                np.zeros((4, ny), np.int64),
            )  # fmt: skip
            width = region[3] - region[2]
            scratch = (
                np.empty((n, 2, width)), np.empty(width), np.empty(width + 1),
                np.zeros((n, 3, 4, width + 2)),
            )  # fmt: skip
            stages._advective_sweep(
                _stage_by_stage(region, n), x, region, advective, sink, 0.5, sources,
                combinations, one_by_one, (True, skew), per_row, scratch,
                np.full(n, region[0] - 3),
            )  # fmt: skip
            # the result is the same bits (the pair between is scratch: in chunks, a halo may
            # leave an earlier stage there; the first rate stays in the chain's own ring)
            assert np.array_equal(chained[2], one_by_one[3])
            assert not np.array_equal(chained[2], base[3])
            expected = np.stack([stages._ordered_sums(s, region) for s in per_row[2:4]], axis=1)
            np.testing.assert_array_equal(sums, expected)
            _assert_ranges(ranges, x, chained[2], region)
    assert dispersion_reach(dispersion) >= 1
    for n_stages in (4, 9):  # its stages between the first and the last in rings of rows
        combinations = rng.uniform(0.05, 0.5, (n_stages, 5))
        base = [rng.random((ny, nx)) for _ in range(4)]
        chained, one_by_one = base[3].copy(), tuple(a.copy() for a in base)
        inflow, ranges = stages.dispersive_chain(
            x, region, dispersion, 0.5, held, sources, combinations, chained, True
        )
        per_row = (
            fixed, source_rows, np.zeros((n_stages, ny)), np.zeros((4, ny), np.int64)
        )  # fmt: skip
        stages._dispersive_sweep(
            _stage_by_stage(region, n_stages), x, region, dispersion, 0.5, sources,
            combinations, one_by_one, True, per_row, np.empty(region[3] - region[2]),
        )  # fmt: skip
        assert np.array_equal(chained, one_by_one[3])
        assert not np.array_equal(chained, base[3])
        np.testing.assert_array_equal(inflow, stages._ordered_sums(per_row[2], region))
        _assert_ranges(ranges, x, chained, region)
