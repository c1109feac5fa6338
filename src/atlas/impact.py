"""Plume x receptors: concentrations seen at receptors, and when thresholds are first reached.

Pure functions on numpy arrays (y-up fields, boolean receptor masks from
:meth:`atlas.grid.Grid.rasterize`); no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.errors import AtlasError

__all__ = ["arrival_times_yr", "first_crossing_yr", "receptor_maxima"]

FloatArray = NDArray[np.float64]


def receptor_maxima(concentration_mg_per_l: ArrayLike, masks: Sequence[np.ndarray]) -> FloatArray:
    """Highest concentration in each receptor's cells, at each time.

    Parameters
    ----------
    concentration_mg_per_l : array_like, shape (nt, ny, nx)
        Concentration fields, in mg/L.
    masks : sequence of bool arrays, shape (ny, nx)
        Cells of each receptor (none may be empty).

    Returns
    -------
    numpy.ndarray, shape (nt, n_receptors)
        Maximum over the receptor's cells, in mg/L.
    """
    fields = np.asarray(concentration_mg_per_l, dtype=float)
    if fields.ndim != 3:
        raise AtlasError(f"expected (nt, ny, nx) concentrations, got shape {fields.shape}")
    columns = []
    for index, mask in enumerate(masks):
        if mask.shape != fields.shape[1:] or not mask.any():
            raise AtlasError(
                f"receptor mask {index} must be a non-empty {fields.shape[1:]} boolean array, "
                f"got shape {mask.shape} with {int(mask.sum())} cells"
            )
        columns.append(fields[:, mask].max(axis=1))
    return np.stack(columns, axis=1) if columns else np.empty((fields.shape[0], 0))


def first_crossing_yr(times_yr: ArrayLike, series_mg_per_l: ArrayLike, threshold: float) -> float:
    """First time a sampled series reaches ``threshold``, linearly interpolated between samples.

    Parameters
    ----------
    times_yr : array_like, shape (nt,)
        Strictly increasing sample times, in years.
    series_mg_per_l : array_like, shape (nt,)
        Concentration at those times, in mg/L.
    threshold : float
        Concentration to reach, in mg/L (> 0).

    Returns
    -------
    float
        The time, in years, when the series first reaches ``threshold``: the first sample at or
        above it, moved back to where the straight line from the previous sample crosses it.
        NaN when it is never reached. The error is at most one sampling interval and, for a
        smooth breakthrough curve, much less.
    """
    times = np.asarray(times_yr, dtype=float)
    series = np.asarray(series_mg_per_l, dtype=float)
    if times.shape != series.shape or times.ndim != 1:
        raise AtlasError(f"times {times.shape} and series {series.shape} must be equal 1-D shapes")
    if times.size > 1 and not np.all(np.diff(times) > 0):
        raise AtlasError("times_yr must be strictly increasing")
    reached = np.flatnonzero(series >= threshold)
    if reached.size == 0:
        return float("nan")
    k = int(reached[0])
    if k == 0:
        return float(times[0])
    before, after = series[k - 1], series[k]
    fraction = (threshold - before) / (after - before)
    return float(times[k - 1] + fraction * (times[k] - times[k - 1]))


def arrival_times_yr(
    times_yr: ArrayLike, receptor_mg_per_l: ArrayLike, thresholds_mg_per_l: Sequence[float]
) -> FloatArray:
    """Arrival time of every threshold at every receptor.

    Parameters
    ----------
    times_yr : array_like, shape (nt,)
        Sample times, in years since the start of the run.
    receptor_mg_per_l : array_like, shape (nt, n_receptors)
        Concentration seen by each receptor (e.g. :func:`receptor_maxima`), in mg/L.
    thresholds_mg_per_l : sequence of float
        Thresholds, in mg/L.

    Returns
    -------
    numpy.ndarray, shape (n_receptors, n_thresholds)
        Years since the start (see :func:`first_crossing_yr`); NaN where never reached.
    """
    series = np.asarray(receptor_mg_per_l, dtype=float)
    return np.array(
        [
            [first_crossing_yr(times_yr, series[:, r], t) for t in thresholds_mg_per_l]
            for r in range(series.shape[1])
        ],
        dtype=float,
    ).reshape(series.shape[1], len(thresholds_mg_per_l))
