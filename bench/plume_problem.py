"""The benchmark problems, shared by both solvers: a plume in uniform flow at 45 degrees.

Both problems use one aquifer (:data:`AQUIFER`, mid mission regime: seepage 25 m/yr toward the
north-east, alpha_L = 50 m, alpha_T = 5 m) on square grids of square cells, row 0 = south edge,
as in :mod:`atlas.plume.flow`.

* :func:`throughput_case`: a Gaussian blob that fills the whole grid (every cell is above the
  solver's negligible-concentration floor, so the atlas solver's active box is the whole grid),
  20 m cells, 4 years. The cost of a step is then the cost of the full grid.
* :class:`GaussianPlume`: the exact solution of an instantaneous release, started 40 years after
  the release and run 20 years more; the grid is just large enough that the plume stays
  ``margin_sigmas`` standard deviations inside the edges, so the edge treatment (no-flux in
  FiPy, open in atlas) does not matter at the 1e-3 level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from atlas.plume import TransportParameters, instantaneous_point_2d
from atlas.plume.transport import NEGLIGIBLE_FRACTION

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Aquifer:
    """Uniform seepage through a single layer, and its transport properties.

    Parameters
    ----------
    velocity_m_per_yr : float
        Seepage speed, in m/yr.
    direction_deg : float
        Azimuth the water flows toward, in degrees clockwise from north.
    transport : atlas.plume.TransportParameters
        Porosity (only scales mass to concentration), thickness and dispersivities, as given to
        :func:`atlas.plume.simulate`.
    """

    velocity_m_per_yr: float
    direction_deg: float
    transport: TransportParameters

    @property
    def flow_unit_vector(self) -> FloatArray:
        """Unit vector ``(east, north)`` of the flow direction."""
        azimuth = math.radians(self.direction_deg)
        return np.array([math.sin(azimuth), math.cos(azimuth)])

    @property
    def longitudinal_dispersion_m2_per_yr(self) -> float:
        """``D_L = alpha_L |v|``, in m^2/yr."""
        return self.transport.longitudinal_dispersivity_m * self.velocity_m_per_yr

    @property
    def transverse_dispersion_m2_per_yr(self) -> float:
        """``D_T = alpha_T |v|``, in m^2/yr."""
        return self.transport.transverse_dispersivity_m * self.velocity_m_per_yr

    def dispersion_tensor_m2_per_yr(self) -> FloatArray:
        """``D = D_T I + (D_L - D_T) u u^T`` in ``(east, north)`` axes, in m^2/yr."""
        unit = self.flow_unit_vector
        d_l, d_t = self.longitudinal_dispersion_m2_per_yr, self.transverse_dispersion_m2_per_yr
        return d_t * np.eye(2) + (d_l - d_t) * np.outer(unit, unit)


AQUIFER = Aquifer(
    velocity_m_per_yr=25.0,
    direction_deg=45.0,
    transport=TransportParameters(
        effective_porosity=0.25,
        thickness_m=10.0,
        longitudinal_dispersivity_m=50.0,
        transverse_dispersivity_m=5.0,
    ),
)


@dataclass(frozen=True, eq=False)
class Case:
    """One transport run: grid, initial concentration and horizon.

    Attributes
    ----------
    cell_size_m : float
        Side of the square cells, in m.
    initial_mg_per_l : numpy.ndarray, shape (n, n)
        Concentration at the start, in mg/L.
    horizon_yr : float
        Length of the run, in years.
    aquifer : Aquifer
        Flow and dispersion.
    """

    cell_size_m: float
    initial_mg_per_l: FloatArray
    horizon_yr: float
    aquifer: Aquifer = AQUIFER

    @property
    def cells(self) -> int:
        """Number of cells of the grid."""
        return int(self.initial_mg_per_l.size)


@dataclass(frozen=True, eq=False)
class Solution:
    """What a solver computed for a :class:`Case` (the worker measures its cost).

    Attributes
    ----------
    concentration_mg_per_l : numpy.ndarray, shape (n, n)
        Concentration at the horizon, in mg/L.
    n_steps : int
        Time steps taken.
    """

    concentration_mg_per_l: FloatArray
    n_steps: int


THROUGHPUT_CELL_M = 20.0
THROUGHPUT_HORIZON_YR = 4.0


def throughput_case(n: int, aquifer: Aquifer = AQUIFER) -> Case:
    """A centred Gaussian blob (sigma = 1/8 of the side) on an ``n x n`` grid of 20 m cells.

    At the corners it is ``exp(-16)`` of its peak, far above the solver's negligible floor
    (``NEGLIGIBLE_FRACTION`` of the peak), so every cell is computed from the first step on.

    Raises
    ------
    ValueError
        If some cell is at or below that floor (the case would not measure the full grid).
    """
    offset = (np.arange(n) + 0.5 - 0.5 * n) / (n / 8.0)  # in standard deviations
    blob = np.exp(-0.5 * (offset[:, None] ** 2 + offset[None, :] ** 2))
    lowest = float(blob.min() / blob.max())
    if lowest <= NEGLIGIBLE_FRACTION:
        raise ValueError(
            f"throughput case {n}x{n}: expected every cell above {NEGLIGIBLE_FRACTION:g} of the "
            f"peak (so atlas computes the whole grid), got a lowest cell of {lowest:g}"
        )
    return Case(THROUGHPUT_CELL_M, blob, THROUGHPUT_HORIZON_YR, aquifer)


@dataclass(frozen=True)
class GaussianPlume:
    """The plume of an instantaneous release, and the square domain that holds it.

    Parameters
    ----------
    age_yr : float
        Time since the release at the start of the run, in years.
    horizon_yr : float
        Length of the run, in years.
    margin_sigmas : float
        Smallest distance from the plume centre to the domain edge, in standard deviations of
        the plume along that axis, at the start and at the end.
    mass_kg : float
        Mass released, in kg.
    aquifer : Aquifer
        Flow and dispersion.

    Notes
    -----
    The concentration is :func:`atlas.plume.instantaneous_point_2d` (Bear 1972) in coordinates
    along and across the flow; cells take its value at their centre. ``C0`` is the peak of
    the plume at the start, so errors are reported as fractions of the initial peak.
    """

    age_yr: float = 40.0
    horizon_yr: float = 20.0
    margin_sigmas: float = 4.0
    mass_kg: float = 1000.0
    aquifer: Aquifer = AQUIFER

    def _centre_m(self, t_yr: float) -> FloatArray:
        """Plume centre relative to the release point, ``(east, north)``, in m."""
        return self.aquifer.velocity_m_per_yr * t_yr * self.aquifer.flow_unit_vector

    def _sigma_m(self, t_yr: float) -> FloatArray:
        """Standard deviations of the plume along east and north, in m."""
        unit = self.aquifer.flow_unit_vector
        d_l = self.aquifer.longitudinal_dispersion_m2_per_yr
        d_t = self.aquifer.transverse_dispersion_m2_per_yr
        return np.sqrt(2.0 * t_yr * (d_l * unit**2 + d_t * unit[::-1] ** 2))

    def _extent_m(self) -> tuple[FloatArray, FloatArray]:
        """Lowest and highest ``(east, north)`` the domain must hold, relative to the release."""
        ends = (self.age_yr, self.age_yr + self.horizon_yr)
        spans = [(self._centre_m(t), self.margin_sigmas * self._sigma_m(t)) for t in ends]
        low = np.minimum(*(centre - reach for centre, reach in spans))
        high = np.maximum(*(centre + reach for centre, reach in spans))
        return low, high

    @property
    def side_m(self) -> float:
        """Side of the square domain, in m."""
        low, high = self._extent_m()
        return float(np.max(high - low))

    @property
    def peak_mg_per_l(self) -> float:
        """``C0``: the peak concentration at the start of the run, in mg/L."""
        along = self.aquifer.velocity_m_per_yr * self.age_yr
        return float(self._concentration(np.array(along), np.array(0.0), self.age_yr))

    def _concentration(self, along_m: FloatArray, across_m: FloatArray, t_yr: float) -> FloatArray:
        a = self.aquifer
        return instantaneous_point_2d(
            along_m,
            across_m,
            t_yr,
            self.mass_kg,
            velocity_m_per_yr=a.velocity_m_per_yr,
            longitudinal_dispersion_m2_per_yr=a.longitudinal_dispersion_m2_per_yr,
            transverse_dispersion_m2_per_yr=a.transverse_dispersion_m2_per_yr,
            effective_porosity=a.transport.effective_porosity,
            thickness_m=a.transport.thickness_m,
        )

    def concentration_mg_per_l(self, n: int, t_yr: float) -> FloatArray:
        """Exact concentration at the centres of an ``n x n`` grid, ``t_yr`` after the release."""
        low, high = self._extent_m()
        side = self.side_m
        origin = low - 0.5 * (side - (high - low))  # the release point is at -origin
        centres = (np.arange(n) + 0.5) * (side / n)
        east = centres[None, :] + origin[0]
        north = centres[:, None] + origin[1]
        unit_east, unit_north = self.aquifer.flow_unit_vector
        along = east * unit_east + north * unit_north
        across = north * unit_east - east * unit_north
        return self._concentration(along, across, t_yr)

    def case(self, n: int) -> Case:
        """The run on an ``n x n`` grid, starting from the exact plume at ``age_yr``."""
        return Case(
            self.side_m / n,
            self.concentration_mg_per_l(n, self.age_yr),
            self.horizon_yr,
            self.aquifer,
        )

    def error(self, n: int, concentration_mg_per_l: FloatArray) -> float:
        """Max over the cells of ``|C - C_exact| / C0`` at the end of the run (dimensionless)."""
        exact = self.concentration_mg_per_l(n, self.age_yr + self.horizon_yr)
        return float(np.max(np.abs(concentration_mg_per_l - exact))) / self.peak_mg_per_l
