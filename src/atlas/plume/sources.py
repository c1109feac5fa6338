"""Contaminant sources of a transport run: fixed-concentration cells and mass-rate cells.

Sources switch on and off at given times; :func:`atlas.plume.transport.simulate` lands its time
steps on those times and asks :func:`active_cells` which cells are held or fed in each interval.

A mass-rate source enters with the variance its inflow has in cell means. The scheme's values
are cell means, and its exchanges between neighbouring cells carry on whatever variance the
inflow was given where it went in; but the cell means of a plume, as a distribution over the
cells' centres, have 1/12 of a cell squared more variance along each axis than the plume
once it is a cell or so wide (Sheppard's correction), and an inflow spread evenly over a cell
has another 1/12 of its own. So inflow at the centres of its cells (a well) needs
1/12 added along each axis, and inflow spread over its cells 1/6: neighbouring cells exchange
:data:`POINT_SHARE` or :data:`AREA_SHARE` of their inflows (:func:`with_cell_moments`). It
matters while a plume is a cell or two wide: MT3DMS problem 4 (a well, flow along the diagonal,
a plume narrower than a cell next to the well) is off by 0.21 of its peak against the
cell-averaged analytic solution without it and 0.082 with it (``bench/near_source_bench.py``).
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
    "AREA_SHARE",
    "POINT_SHARE",
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
    """A constant mass inflow shared by the source cells while active.

    Parameters
    ----------
    mask : array_like of bool, shape (ny, nx)
        The source cells.
    mass_rate_kg_per_yr : float
        Total mass rate into all the cells together, in kg/yr (>= 0).
    start_yr, end_yr : float
        The source is active for ``start_yr <= t < end_yr``, in years.
    at_cell_centres : bool
        True: each cell's share enters at the cell's centre (a well, a point source); False
        (default): it is spread evenly over the cell (an area source). The two enter with
        different variances (:func:`with_cell_moments`).
    cell_weights : array_like of float, shape (ny, nx), optional
        Each source cell's share of the rate, relative to the others (finite, > 0 in every
        source cell; read there only): for wells, how many each cell holds. By default the
        cells share it evenly.
    """

    mask: NDArray[np.bool_]
    mass_rate_kg_per_yr: float
    start_yr: float = 0.0
    end_yr: float = math.inf
    at_cell_centres: bool = False
    cell_weights: FloatArray | None = None

    def __post_init__(self) -> None:
        _freeze_mask(self, "mass_rate_kg_per_yr", self.mass_rate_kg_per_yr)
        if self.cell_weights is not None:
            weights = np.array(self.cell_weights, dtype=float)
            shared = weights[self.mask] if weights.shape == self.mask.shape else None
            with np.errstate(over="ignore"):  # a sum that overflows is refused below
                ok = shared is not None and bool(
                    np.all(np.isfinite(shared) & (shared > 0)) and np.isfinite(shared.sum())
                )
            problems: list[Problem] = []
            check(
                problems,
                "MassRateSource.cell_weights",
                ok,
                f"expected an array of the mask's shape {self.mask.shape!r}, finite and > 0 in "
                f"every source cell with a finite sum, got shape {weights.shape!r}",
                "omit cell_weights to share the rate evenly",
            )
            if problems:
                raise ParameterError("invalid source", problems=problems)
            weights.setflags(write=False)
            object.__setattr__(self, "cell_weights", weights)

    def rate_per_cell_kg_per_yr(self) -> FloatArray:
        """The rate into each source cell, in kg/yr, in the order of ``mask``'s True cells."""
        if self.cell_weights is None:  # rate * 1 / n: the same bits as rate / n
            weights = np.ones(np.count_nonzero(self.mask))
        else:
            weights = self.cell_weights[self.mask]
        return self.mass_rate_kg_per_yr * weights / weights.sum()


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
    """An upper bound on any concentration of the run, in mg/L: the highest starting or held
    value, plus all the mass-rate sources' inflow into one cell."""
    held = [s.concentration_mg_per_l for s in sources if isinstance(s, FixedConcentrationSource)]
    inflow = sum(
        max(min(s.end_yr, end_yr) - s.start_yr, 0.0) * s.mass_rate_kg_per_yr / cell_storage_kg
        for s in sources
        if isinstance(s, MassRateSource)
    )
    return max([float(conc.max()), *held]) + inflow


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
    rates = {False: np.zeros(shape), True: np.zeros(shape)}  # by at_cell_centres
    for source in sources:
        if not is_on(source, t0, t1):
            continue
        if isinstance(source, FixedConcentrationSource):
            held[source.mask] = source.concentration_mg_per_l
        else:
            per_cell_kg = source.rate_per_cell_kg_per_yr()
            rates[source.at_cell_centres][source.mask] += per_cell_kg / cell_storage_kg
    is_held = np.isfinite(held)
    fed = (rates[False] != 0) | (rates[True] != 0)
    rate = with_cell_moments(rates[False], AREA_SHARE, is_held, fed) + with_cell_moments(
        rates[True], POINT_SHARE, is_held, fed
    )
    held_cells = np.flatnonzero(is_held)
    rate_cells = np.flatnonzero(rate)
    return (held_cells, held.ravel()[held_cells], is_held), (rate_cells, rate.ravel()[rate_cells])


POINT_SHARE = 1 / 24
"""The share of its inflow a cell exchanges with each neighbour along an axis when the inflow
enters at cell centres: it adds 1/12 of a cell squared of variance along each axis."""
AREA_SHARE = 1 / 12
"""The same when the inflow is spread over its cells: it adds 1/6 of a cell squared."""


def with_cell_moments(
    rate: FloatArray, share: float, held: NDArray[np.bool_], fed: NDArray[np.bool_]
) -> FloatArray:
    """Inflow per cell (any unit) with the variance it has in cell means.

    Along each axis every pair of neighbouring cells exchanges ``share`` of their inflows as
    given (both axes from the same inflows, so that turning the grid turns the result): a cell
    alone keeps ``1 - 4 share`` and passes ``share`` to each of its four neighbours. An inflow
    keeps its mass, and where no pair is shut its centre too, while its variance grows by
    ``2 share`` cells squared along each axis; an even inflow stays even. Pairs with a held
    cell exchange nothing (the inflow would not change its value), nor pairs with a fed cell
    on the grid's edge along that axis, whose inflow enters through the boundary (an inlet);
    each shut pair moves the inflow's centre by ``share`` of a cell.

    Parameters
    ----------
    rate : ndarray, shape (ny, nx)
        Inflow into each cell.
    share : float
        :data:`POINT_SHARE` or :data:`AREA_SHARE`.
    held, fed : ndarray of bool, shape (ny, nx)
        The held cells, and the cells with inflow from any mass-rate source.

    Returns
    -------
    ndarray, shape (ny, nx)
        The spread inflow, with the same total.
    """
    given = np.asarray(rate, dtype=float)
    change = []
    for axis in (0, 1):  # both from the inflow as given, so that neither axis goes first
        inflow = np.moveaxis(given, axis, 0)
        shut = np.moveaxis(held, axis, 0).copy()
        shut[[0, -1]] |= np.moveaxis(fed, axis, 0)[[0, -1]]
        net = share * (inflow[:-1] - inflow[1:])  # from each cell to the next
        net[shut[:-1] | shut[1:]] = 0.0
        gained = np.zeros_like(inflow)
        gained[1:] += net
        gained[:-1] -= net
        change.append(np.moveaxis(gained, 0, axis))
    return given + (change[0] + change[1])  # a sum in either order: turning keeps the bits


def hold(conc: FloatArray, held: Held) -> float:
    """Set held cells to their values; return the change, as a sum of concentrations."""
    cells, values, _ = held
    flat = conc.reshape(-1)
    change = float(np.sum(values - flat[cells]))
    flat[cells] = values
    return change
