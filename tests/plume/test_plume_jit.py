"""numba's cache is kept per version of the numerics' source, so a change is never stale; row
kernels borrow their arrays and count no references."""

from __future__ import annotations

import os

import numba
import numpy as np
import pytest

import atlas.plume
from atlas.plume import diagonals, fluxes, jit, stages


@pytest.mark.skipif("NUMBA_CACHE_DIR" in os.environ, reason="the user's cache folder is kept")
def test_kernels_are_cached_in_a_folder_named_by_the_source_hash():
    assert atlas.plume.simulate is not None
    assert str(jit.cache_dir()) == numba.config.CACHE_DIR
    assert jit.cache_dir().name == jit.source_sha256()[:16]


def test_the_folder_changes_with_any_module_of_the_package(monkeypatch, tmp_path):
    before = jit.cache_dir()
    monkeypatch.setattr(jit, "source_sha256", lambda: "f" * 64)
    assert jit.cache_dir() != before
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jit.cache_dir() == tmp_path / "atlas" / "numba" / ("f" * 16)


@jit.row_kernel
def _sum_of_two_rows(x, j, out):
    """Views of two rows, read, and one of ``out``, written: what a row kernel does."""
    here, below, into = x[j, 1:], x[j - 1, 1:], out[1:]
    for i in range(into.shape[0]):
        into[i] = here[i] + below[i]


@jit.row_kernel
def _allocating(n):
    return np.zeros(n).sum()


def test_a_row_kernel_reads_and_writes_through_views_of_its_arrays():
    x = np.arange(12.0).reshape(3, 4)
    out = np.zeros(4)
    _sum_of_two_rows(x, 2, out)
    assert out.tolist() == [0.0, 14.0, 16.0, 18.0]


def test_a_row_kernel_may_not_allocate():
    """numba honours the option: without reference counting it cannot own an array."""
    with pytest.raises(numba.core.errors.TypingError):
        _allocating(3)


@pytest.mark.parametrize(
    "kernel",
    [
        diagonals.diagonal_values,
        diagonals.skewed_south,
        diagonals.skewed_row,
        fluxes.south_fluxes,
        fluxes.edge_outflow,
        fluxes.advective_row,
        fluxes.dispersive_row,
        stages._finish_row,
        stages._advective_row,
        stages._advective_sweep,
        stages._dispersive_sweep,
    ],
    ids=lambda kernel: kernel.py_func.__name__,
)
def test_the_kernels_run_once_per_row_count_no_references(kernel):
    assert kernel.targetoptions["_nrt"] is False
