"""Tallies: the same totals whatever the order of merging; quantiles from the histogram."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas.ensemble.tally import Tally, count_dtype, histogram_quantiles

THRESHOLDS = np.array([1.0, 10.0])


def realizations(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    fields = 10 ** rng.uniform(-4, 3, size=(count, 2, 3, 4))
    fields[:, :, 0, 0] = 0.0  # a cell never reached
    arrivals = np.where(rng.random((count, 1, 2)) < 0.3, np.nan, rng.uniform(1, 9, (count, 1, 2)))
    return fields, arrivals


def tally_of(indices, fields, arrivals) -> Tally:
    tally = Tally.empty(THRESHOLDS, fields.shape[1:], 1)
    for i in indices:
        tally.add(i, fields[i], arrivals[i])
    return tally


@settings(max_examples=20, deadline=None)
@given(order=st.permutations(range(12)), cut=st.integers(1, 11))
def test_merging_in_any_order_gives_the_same_tally(order, cut):
    fields, arrivals = realizations(12)
    reference = tally_of(range(12), fields, arrivals).in_order()
    first, second = tally_of(order[:cut], fields, arrivals), tally_of(order[cut:], fields, arrivals)
    merged = second.merge(first).in_order()
    for name in ("exceed", "histogram", "low_mg_per_l", "high_mg_per_l", "index", "kept_flags"):
        assert np.array_equal(getattr(merged, name), getattr(reference, name)), name
    assert np.array_equal(merged.arrival_yr, reference.arrival_yr, equal_nan=True)
    assert merged.kept == 12


def test_exceedance_counts_and_rejected_realizations():
    fields, arrivals = realizations(10)
    tally = Tally.empty(THRESHOLDS, fields.shape[1:], 1)
    for i in range(10):
        tally.add(i, fields[i], arrivals[i], keep=i % 2 == 0)
    kept = fields[::2]
    assert tally.kept == 5
    assert np.array_equal(tally.exceed[1], (kept >= 10.0).sum(axis=0))
    assert np.array_equal(tally.kept_flags, np.arange(10) % 2 == 0)
    assert len(tally.index) == 10


def test_quantiles_of_identical_realizations_are_exact():
    fields, arrivals = realizations(1)
    tally = tally_of([0, 0, 0], np.repeat(fields, 3, axis=0), np.repeat(arrivals, 3, axis=0))
    assert np.array_equal(histogram_quantiles(tally, np.array([0.5, 0.95]))[1], fields[0])


def test_histogram_quantiles_are_within_a_bin_of_the_exact_ones():
    fields, arrivals = realizations(400, seed=3)
    tally = tally_of(range(400), fields, arrivals)
    estimated = histogram_quantiles(tally, np.array([0.5, 0.95]))
    exact = np.quantile(fields, [0.5, 0.95], axis=0)
    ratio = estimated[:, :, 1:, :] / exact[:, :, 1:, :]  # row 0 holds the zero cell
    assert np.all((ratio > 10 ** (-1 / 8)) & (ratio < 10 ** (1 / 8)))
    assert np.all(estimated[:, :, 0, 0] == 0.0)


def test_counts_take_the_smallest_integer_that_cannot_overflow():
    assert count_dtype(65_535) is np.uint16
    assert count_dtype(65_536) is np.uint32
    small = Tally.empty(THRESHOLDS, (1, 2, 2), 1, realizations=10)
    assert small.histogram.dtype == small.exceed.dtype == np.uint16
