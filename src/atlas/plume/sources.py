"""Contaminant sources of a transport run: fixed-concentration cells and mass-rate cells.

Sources switch on and off at given times; :func:`atlas.plume.transport.simulate` lands its time
steps on those times and asks :func:`active_cells` which cells are held or fed in each interval.

A mass-rate source feeds its cells with their own second moments. The scheme's exchanges between
neighbouring cells spread mass put into one cell as if it sat at the cell's centre: they give it
the right variance from then on, but the mass of a source cell is spread over the whole cell,
whose variance is one twelfth of a cell squared along each axis, and that twelfth would be
missing for ever. :func:`with_cell_moments` adds it where the mass goes in, by passing 1/24 of
each cell's inflow to each neighbour along each axis. It matters only while a plume is a cell or
two wide: MT3DMS problem 4 (a well, flow along the diagonal, a plume narrower than a cell next to
the well) is off by 0.21 of its peak against the cell-averaged analytic solution without it and
0.09 with it (``bench/near_source_bench.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from atlas.errors import GridError, ParameterError, Problem
from atlas.plume.checks import check, finite, unit_of
from atlas.plume.scheme import Held, Rates

__all__ = [
    "FixedConcentrationSource",
    "MassRateSource",
    "Source",
    "active_cells",
    "check_sources",
    "hold",
    "is_on",
    "largest_possible_mg_per_l",
    "switch_times",
    "with_cell_moments",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class FixedConcentrationSource:
    """Cells held at a fixed dissolved concentration while the source is active.

    Parameters
    ----------
    mask : array_like of bool, shape (ny, nx)
        The source cells.
    concentration_mg_per_l : float
        The concentration they are held at, in mg/L (>= 0).
    start_yr, end_yr : float
        The source is active for ``start_yr <= t < end_yr``, in years; afterwards the cells
        evolve freely. The mass needed to hold them counts as inflow.
    """

    mask: NDArray[np.bool_]
    concentration_mg_per_l: float
    start_yr: float = 0.0
    end_yr: float = math.inf

    def __post_init__(self) -> None:
        _freeze_mask(self, "concentration_mg_per_l", self.concentration_mg_per_l)


@dataclass(frozen=True, eq=False)
class MassRateSource:
    """A constant mass inflow spread evenly over the source cells while active, each cell's share
    going in with the cell's second moments (:func:`with_cell_moments`).

    Parameters
    ----------
    mask : array_like of bool, shape (ny, nx)
        The source cells.
    mass_rate_kg_per_yr : float
        Total mass rate into all the cells together, in kg/yr (>= 0).
    start_yr, end_yr : float
        The source is active for ``start_yr <= t < end_yr``, in years.
    """

    mask: NDArray[np.bool_]
    mass_rate_kg_per_yr: float
    start_yr: float = 0.0
    end_yr: float = math.inf

    def __post_init__(self) -> None:
        _freeze_mask(self, "mass_rate_kg_per_yr", self.mass_rate_kg_per_yr)


Source = FixedConcentrationSource | MassRateSource


def _freeze_mask(source: Source, name: str, value: float) -> None:
    """Validate a source's scalars and store its mask as a read-only boolean array."""
    problems: list[Problem] = []
    kind = type(source).__name__
    check(
        problems,
        f"{kind}.{name}",
        finite(value) and value >= 0,
        f"expected >= 0 ({unit_of(name)}), got {value!r}",
    )
    start, end = source.start_yr, source.end_yr
    check(
        problems,
        f"{kind}.start_yr",
        finite(start) and start >= 0,
        f"expected a finite time >= 0 (yr), got {start!r}",
    )
    check(
        problems,
        f"{kind}.end_yr",
        isinstance(end, int | float) and end > start,
        f"expected a time after start_yr ({start!r} yr), got {end!r}",
        "use math.inf for no end",
    )
    mask = np.array(source.mask, dtype=bool)
    check(
        problems,
        f"{kind}.mask",
        mask.ndim == 2 and bool(mask.any()),
        f"expected a 2-D boolean array with at least one True cell, got shape {mask.shape!r} "
        f"with {int(mask.sum())} True cells",
    )
    if problems:
        raise ParameterError("invalid source", problems=problems)
    mask.setflags(write=False)
    object.__setattr__(source, "mask", mask)


def largest_possible_mg_per_l(
    conc: FloatArray, sources: Sequence[Source], end_yr: float, cell_storage_kg: float
) -> float:
    """An upper bound on any concentration of the run, in mg/L."""
    largest = float(conc.max())
    for source in sources:
        if isinstance(source, FixedConcentrationSource):
            largest = max(largest, source.concentration_mg_per_l)
        else:
            active_yr = min(source.end_yr, end_yr) - source.start_yr
            largest += max(active_yr, 0.0) * source.mass_rate_kg_per_yr / cell_storage_kg
    return largest


def check_sources(sources: Sequence[Source], shape: tuple[int, int]) -> None:
    """Raise GridError unless every source is a source object with a mask of the grid shape."""
    problems = [
        Problem(
            f"sources[{k}]",
            f"expected a FixedConcentrationSource or MassRateSource with a mask of the grid "
            f"shape {shape!r}, got {type(source).__name__}"
            + (f" with mask shape {source.mask.shape!r}" if hasattr(source, "mask") else ""),
        )
        for k, source in enumerate(sources)
        if not isinstance(source, FixedConcentrationSource | MassRateSource)
        or source.mask.shape != shape
    ]
    if problems:
        raise GridError("invalid sources", problems=problems)


def switch_times(times: FloatArray, sources: Sequence[Source]) -> list[float]:
    """Times the steps must land on: 0, the output times, and source switches before the end."""
    end = float(times[-1])
    switches = {t for s in sources for t in (s.start_yr, s.end_yr) if 0 < t < end}
    return sorted({0.0, *map(float, times), *switches})


def is_on(source: Source, t0: float, t1: float) -> bool:
    """Whether ``source`` is on through the interval ``[t0, t1]`` (yr)."""
    return source.start_yr <= t0 and t1 <= source.end_yr


def active_cells(
    sources: Sequence[Source],
    t0: float,
    t1: float,
    shape: tuple[int, int],
    cell_storage_kg: float,
) -> tuple[Held, Rates]:
    """Held cells with their concentrations, and source cells with concentration rates per yr."""
    held = np.full(shape, np.nan)
    rate = np.zeros(shape)
    for source in sources:
        if not is_on(source, t0, t1):
            continue
        if isinstance(source, FixedConcentrationSource):
            held[source.mask] = source.concentration_mg_per_l
        else:
            per_cell_kg = source.mass_rate_kg_per_yr / np.count_nonzero(source.mask)
            rate[source.mask] += per_cell_kg / cell_storage_kg
    rate = with_cell_moments(rate)
    is_held = np.isfinite(held)
    held_cells = np.flatnonzero(is_held)
    rate_cells = np.flatnonzero(rate)
    return (held_cells, held.ravel()[held_cells], is_held), (rate_cells, rate.ravel()[rate_cells])


CELL_SHARE_TO_EACH_NEIGHBOUR = 1 / 24
"""The share of a cell's inflow passed to each neighbour along an axis: with 11/12 kept, the
inflow has the variance of a uniform cell, 1/12 of a cell squared along each axis."""


def with_cell_moments(rate: FloatArray) -> FloatArray:
    """Inflow per cell (any unit) spread so that each cell's share has the cell's variance.

    Along each axis neighbouring cells exchange :data:`CELL_SHARE_TO_EACH_NEIGHBOUR` of their
    inflows, so that an inflow keeps its mass and centre and its variance grows by 1/12 of a
    cell squared: that of a uniform cell about its centre. The cells on the grid's edge take no
    part: their inflow enters through the boundary (an inlet along the edge feeds its own
    cells), and an even inflow stays even.

    Parameters
    ----------
    rate : ndarray, shape (ny, nx)
        Inflow into each cell.

    Returns
    -------
    ndarray, shape (ny, nx)
        The spread inflow, with the same total.
    """
    spread = np.array(rate, dtype=float)
    for axis in (0, 1):
        along = np.moveaxis(spread, axis, 0)
        passed = CELL_SHARE_TO_EACH_NEIGHBOUR * along
        net = passed[1:-2] - passed[2:-1]  # from each inner cell to the next, edges left out
        along[1:-2] -= net
        along[2:-1] += net
    return spread


def hold(conc: FloatArray, held: Held) -> float:
    """Set held cells to their values; return the change, as a sum of concentrations."""
    cells, values, _ = held
    flat = conc.reshape(-1)
    change = float(np.sum(values - flat[cells]))
    flat[cells] = values
    return change
