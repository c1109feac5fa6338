"""The result of running a scenario: one object from the run to every writer.

:func:`atlas.run.run_scenario` returns a :class:`PlumeResult`; the output files
(:mod:`atlas.publish.outputs`), the site (:mod:`atlas.publish.site`) and the command line take
it as it is and compute nothing more. Every number in it is **modelled**.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import xarray as xr

from atlas.scenario import Scenario

__all__ = [
    "ARRIVAL_COLUMNS",
    "DEGREE_DECIMALS",
    "ISOCHRONE_COLUMNS",
    "MODELLED_LABEL",
    "SIGNIFICANT_DIGITS",
    "YEAR_DECIMALS",
    "PlumeResult",
    "SourceFlow",
]

MODELLED_LABEL = (
    "MODELLED, not measured: a screening projection computed from the stated assumptions and "
    "parameters; not calibrated against measured concentrations"
)
"""The label every modelled output carries."""

SIGNIFICANT_DIGITS = 6
"""Significant digits kept of published quantities (areas, concentrations, masses)."""

YEAR_DECIMALS = 3
"""Decimals kept of published times in years (0.001 yr is about 9 hours)."""

DEGREE_DECIMALS = 7
"""Decimals kept of published coordinates in degrees (about 1 cm)."""

ARRIVAL_COLUMNS = ("receptor", "threshold_mg_per_l", "arrival_yr", "arrival_calendar_year")
"""Columns of :attr:`PlumeResult.arrivals`."""

ISOCHRONE_COLUMNS = (
    "scenario",
    "threshold_mg_per_l",
    "time_yr",
    "calendar_year",
    "area_m2",
    "modelled",
)
"""Columns of :attr:`PlumeResult.isochrones`, besides the geometry."""


class SourceFlow(NamedTuple):
    """Modelled flow through the source cells (medians and ranges over the cells).

    Attributes
    ----------
    cells : int
        Number of source cells.
    speed_m_per_yr : tuple of float
        Seepage speed (median, min, max) in m/yr.
    conductivity_m_per_day : tuple of float or None
        Hydraulic conductivity (median, min, max) in m/d; None when the scenario has none.
    gradient : float or None
        Median hydraulic gradient ``i = v n_e / K`` (dimensionless); None without conductivity.
    """

    cells: int
    speed_m_per_yr: tuple[float, float, float]
    conductivity_m_per_day: tuple[float, float, float] | None
    gradient: float | None


@dataclass(frozen=True, eq=False)
class PlumeResult:
    """Everything a run of a scenario produced, computed once.

    Numbers are kept at the precision they are published with (years to 0.001 yr, other
    quantities to 6 significant digits, coordinates to 1e-7 degree), so a result read back
    from its files (:func:`atlas.publish.outputs.read_result`) equals the one written, but for
    ``dataset``'s concentrations, which are stored as float32.

    Attributes
    ----------
    scenario : Scenario
        The scenario run (parameters, provenance, receptors, sources).
    dataset : xarray.Dataset
        The CF-1.8 dataset: ``concentration`` (time_yr, y, x) in mg/L, north-up, heads,
        velocities, arrivals and the mass budget (see :func:`atlas.run.run_scenario`). A flow-only
        run (no source, no initial plume) has no ``concentration`` and no ``time_yr``.
    isochrones : geopandas.GeoDataFrame
        EPSG:4326 polygons of C >= each threshold at each output time, columns
        :data:`ISOCHRONE_COLUMNS`; one row per threshold and time where the area is not empty.
    arrivals : pandas.DataFrame
        First arrival at each receptor of each of its thresholds, columns
        :data:`ARRIVAL_COLUMNS`: years since t = 0 and the calendar year (NaN: not reached
        within the horizon, or no start year).
    output_times : pandas.DataFrame
        One row per output time: ``time_yr``, ``max_concentration_mg_per_l`` and the mass
        budget (``mass_in_kg``, ``mass_stored_kg``, ``mass_out_kg``, ``mass_decayed_kg``).
    source_flow : SourceFlow or None
        The flow through the source cells; None without sources.
    assumptions : tuple of str
        The model's assumptions in plain words (their sources: ``scenario.provenance``).
    inputs_sha256 : str
        SHA-256 of the inputs (:func:`atlas.scenario.digest.inputs_sha256`).
    """

    scenario: Scenario
    dataset: xr.Dataset
    isochrones: gpd.GeoDataFrame
    arrivals: pd.DataFrame
    output_times: pd.DataFrame
    source_flow: SourceFlow | None
    assumptions: tuple[str, ...]
    inputs_sha256: str

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def transports(self) -> bool:
        """Whether the run moved solute (False for a flow-only scenario)."""
        return "concentration" in self.dataset
