"""Running counts of many realizations, merged in any order to the same totals.

A :class:`Tally` holds, for the kept realizations, integer counts of exceedance per threshold,
output time and cell, a fixed-bin histogram of the concentration per output time and cell, and
the lowest and highest concentration per cell; and, for every realization, its index, its
arrival times, its modelled values at the observations and whether it was kept. Sums of
integers, minima, maxima and rows keyed by their index do not depend on the order of merging:
the ensemble's outputs are the same whatever the number of workers or the order in which they
finish. Its size is independent of the number of realizations but for the per-realization rows
(a few numbers each).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BIN_EDGES_MG_PER_L", "Tally", "histogram_quantiles"]

BIN_EDGES_MG_PER_L = np.geomspace(1e-3, 1e5, 8 * 8 + 1)
"""Edges of the concentration histogram, mg/L: 8 bins per decade from 0.001 to 100,000 mg/L,
plus a bin below (from 0) and one above. Quantiles are interpolated inside a bin (in
log-concentration) and clipped to the cell's lowest and highest realization."""

_BINS = BIN_EDGES_MG_PER_L.size + 1


def count_dtype(realizations: int) -> type[np.unsignedinteger]:
    """The smallest unsigned integer that counts ``realizations`` without overflow: uint16
    up to 65,535 realizations (half the memory of the grids of counts), else uint32."""
    return np.uint16 if realizations <= np.iinfo(np.uint16).max else np.uint32


@dataclass
class Tally:
    """Partial reduction of an ensemble (see the module docstring).

    Attributes
    ----------
    thresholds_mg_per_l : numpy.ndarray, shape (n_thresholds,)
    exceed : numpy.ndarray of uint16 or uint32, shape (n_thresholds, n_times, ny, nx)
        Kept realizations with C >= threshold.
    histogram : numpy.ndarray of uint16 or uint32, shape (n_times, n_bins, ny, nx)
        Kept realizations per concentration bin (:data:`BIN_EDGES_MG_PER_L`).
    low_mg_per_l, high_mg_per_l : numpy.ndarray, shape (n_times, ny, nx)
        Lowest and highest concentration over the kept realizations (+inf and -inf when none).
    kept : int
        Number of kept realizations.
    index : numpy.ndarray of int64, shape (n,)
        Realizations tallied (every one, kept or not), in no particular order.
    arrival_yr : numpy.ndarray, shape (n, n_receptors, n_thresholds)
        Their arrival times, years since t = 0 (NaN: not within the horizon).
    kept_flags : numpy.ndarray of bool, shape (n,)
    observed_mg_per_l : numpy.ndarray, shape (n, n_observations)
        Their modelled concentrations at the scenario's observations, mg/L.
    """

    thresholds_mg_per_l: np.ndarray
    exceed: np.ndarray
    histogram: np.ndarray
    low_mg_per_l: np.ndarray
    high_mg_per_l: np.ndarray
    kept: int
    index: np.ndarray
    arrival_yr: np.ndarray
    kept_flags: np.ndarray
    observed_mg_per_l: np.ndarray

    @classmethod
    def empty(
        cls,
        thresholds_mg_per_l: np.ndarray,
        field_shape: tuple[int, int, int],
        receptors: int,
        realizations: int = 2**32 - 1,
        observations: int = 0,
    ) -> Tally:
        """A tally of no realization, for fields of ``field_shape`` (n_times, ny, nx), whose
        counts hold up to ``realizations`` (:func:`count_dtype`), with ``observations``
        modelled values per realization."""
        count = count_dtype(realizations)
        times, ny, nx = field_shape
        thresholds = np.asarray(thresholds_mg_per_l, dtype=float)
        return cls(
            thresholds_mg_per_l=thresholds,
            exceed=np.zeros((thresholds.size, *field_shape), dtype=count),
            histogram=np.zeros((times, _BINS, ny, nx), dtype=count),
            low_mg_per_l=np.full(field_shape, np.inf),
            high_mg_per_l=np.full(field_shape, -np.inf),
            kept=0,
            index=np.empty(0, dtype=np.int64),
            arrival_yr=np.empty((0, receptors, thresholds.size)),
            kept_flags=np.empty(0, dtype=bool),
            observed_mg_per_l=np.empty((0, observations)),
        )

    def add(
        self,
        index: int,
        concentration_mg_per_l: np.ndarray,
        arrival_yr: np.ndarray,
        *,
        keep: bool = True,
        observed_mg_per_l: np.ndarray | None = None,
    ) -> None:
        """Count one realization: its fields (n_times, ny, nx) only when ``keep``; its
        modelled values at the observations (default: none) in every case."""
        observed = np.empty(0) if observed_mg_per_l is None else observed_mg_per_l
        self.observed_mg_per_l = np.concatenate(
            [self.observed_mg_per_l, np.asarray(observed, dtype=float)[None]]
        )
        self.index = np.append(self.index, np.int64(index))
        self.arrival_yr = np.concatenate([self.arrival_yr, np.asarray(arrival_yr)[None]])
        self.kept_flags = np.append(self.kept_flags, keep)
        if not keep:
            return
        fields = np.asarray(concentration_mg_per_l, dtype=float)
        self.kept += 1
        self.exceed += fields[None] >= self.thresholds_mg_per_l[:, None, None, None]
        bins = np.searchsorted(BIN_EDGES_MG_PER_L, fields, side="right")
        np.put_along_axis(
            self.histogram,
            bins[:, None],
            np.take_along_axis(self.histogram, bins[:, None], axis=1)
            + self.histogram.dtype.type(1),
            axis=1,
        )
        np.minimum(self.low_mg_per_l, fields, out=self.low_mg_per_l)
        np.maximum(self.high_mg_per_l, fields, out=self.high_mg_per_l)

    def merge(self, other: Tally) -> Tally:
        """The tally of both (neither is changed); the same whatever the order."""
        return Tally(
            thresholds_mg_per_l=self.thresholds_mg_per_l,
            exceed=self.exceed + other.exceed,
            histogram=self.histogram + other.histogram,
            low_mg_per_l=np.minimum(self.low_mg_per_l, other.low_mg_per_l),
            high_mg_per_l=np.maximum(self.high_mg_per_l, other.high_mg_per_l),
            kept=self.kept + other.kept,
            index=np.concatenate([self.index, other.index]),
            arrival_yr=np.concatenate([self.arrival_yr, other.arrival_yr]),
            kept_flags=np.concatenate([self.kept_flags, other.kept_flags]),
            observed_mg_per_l=np.concatenate([self.observed_mg_per_l, other.observed_mg_per_l]),
        )

    def in_order(self) -> Tally:
        """The same tally with its per-realization rows sorted by realization index."""
        order = np.argsort(self.index, kind="stable")
        return Tally(
            self.thresholds_mg_per_l,
            self.exceed,
            self.histogram,
            self.low_mg_per_l,
            self.high_mg_per_l,
            self.kept,
            self.index[order],
            self.arrival_yr[order],
            self.kept_flags[order],
            self.observed_mg_per_l[order],
        )


def merge(first: Tally, second: Tally) -> Tally:
    """``first.merge(second)``, as a function for a task graph."""
    return first.merge(second)


def histogram_quantiles(tally: Tally, quantiles: np.ndarray) -> np.ndarray:
    """Concentration quantiles per output time and cell from the histogram.

    Parameters
    ----------
    tally : Tally
        With at least one kept realization.
    quantiles : numpy.ndarray, shape (n_q,)
        Probabilities in [0, 1].

    Returns
    -------
    numpy.ndarray, shape (n_q, n_times, ny, nx)
        In mg/L: the value below which the fraction ``q`` of the kept realizations lie,
        interpolated in log-concentration inside its bin (linearly in the bin from 0), and
        clipped to the lowest and highest realization of the cell; exact where every
        realization has the same value.
    """
    lower_edges = np.concatenate([[0.0], BIN_EDGES_MG_PER_L])
    upper_edges = np.concatenate([BIN_EDGES_MG_PER_L, [BIN_EDGES_MG_PER_L[-1] * 10]])
    out = np.empty((len(quantiles), *tally.low_mg_per_l.shape))
    for t in range(tally.histogram.shape[0]):  # one output time at a time: bounded memory
        counts = tally.histogram[t]  # (n_bins, ny, nx)
        cumulative = np.cumsum(counts, axis=0, dtype=np.int64)
        for k, q in enumerate(quantiles):
            rank = q * tally.kept
            found = np.argmax(cumulative >= max(rank, 1e-12), axis=0)[None]  # (1, ny, nx)
            inside = np.take_along_axis(counts, found, axis=0)[0].astype(np.int64)
            before = np.take_along_axis(cumulative, found, axis=0)[0] - inside
            fraction = np.clip((rank - before) / np.maximum(inside, 1), 0.0, 1.0)
            low, high = lower_edges[found[0]], upper_edges[found[0]]
            log_low = np.log(np.maximum(low, 1e-300))
            value = np.where(
                low > 0, np.exp(log_low + fraction * (np.log(high) - log_low)), fraction * high
            )
            out[k, t] = np.clip(value, tally.low_mg_per_l[t], tally.high_mg_per_l[t])
    return out
