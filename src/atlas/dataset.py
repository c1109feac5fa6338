"""The labelled CF-1.8 dataset of a run: fields north-up in the scenario CRS, arrivals, the mass
budget, each variable with its units and the MODELLED label."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import xarray as xr

from atlas.result import MODELLED_LABEL
from atlas.scenario import Scenario, UniformFlow

__all__ = ["MASS_TERMS", "TransportRecord", "plume_dataset"]

MASS_TERMS = ("mass_in_kg", "mass_stored_kg", "mass_out_kg", "mass_decayed_kg")
"""The terms of the mass budget, in kg."""


class TransportRecord(NamedTuple):
    """What a transport run recorded (y-up fields).

    Attributes
    ----------
    times_yr : numpy.ndarray, shape (nr,)
        Record times, years since t = 0 (0 first), finer than the output times.
    receptor_mg_per_l : numpy.ndarray, shape (nr, n_receptors)
        Highest concentration in each receptor at each record time, mg/L.
    fields_mg_per_l : numpy.ndarray, shape (nt, ny, nx)
        Concentration at the output times, mg/L.
    budget_kg : dict of str to numpy.ndarray, shape (nt,)
        The mass budget at the output times, kg, by term (:data:`MASS_TERMS`).
    observed_mg_per_l : numpy.ndarray, shape (n_observations,)
        Highest concentration in each observation's cells at its time, mg/L.
    """

    times_yr: np.ndarray
    receptor_mg_per_l: np.ndarray
    fields_mg_per_l: np.ndarray
    budget_kg: dict[str, np.ndarray]
    observed_mg_per_l: np.ndarray = np.empty(0)


_BUDGET_NAMES = {
    "mass_in_kg": "modelled cumulative solute mass entered from the sources",
    "mass_stored_kg": "modelled solute mass in the aquifer (dissolved and sorbed)",
    "mass_out_kg": "modelled cumulative solute mass left across the edges and at sinks",
    "mass_decayed_kg": "modelled cumulative solute mass lost to decay",
}


def _spatial_variables(
    scenario: Scenario, head_m: np.ndarray, velocities: tuple[np.ndarray, np.ndarray]
) -> dict[str, xr.DataArray]:
    grid = scenario.grid
    vx, vy = velocities
    head_name = "modelled hydraulic head"
    if isinstance(scenario.flow, UniformFlow):
        head_name += " implied by the uniform flow, relative to the most downstream cell"
    return {
        "head_m": grid.to_dataarray(head_m, name="head_m", units="m", long_name=head_name),
        "velocity_x_m_per_yr": grid.to_dataarray(
            vx,
            name="velocity_x_m_per_yr",
            units="m/yr",
            long_name="modelled seepage velocity toward east (cell mean)",
        ),
        "velocity_y_m_per_yr": grid.to_dataarray(
            vy,
            name="velocity_y_m_per_yr",
            units="m/yr",
            long_name="modelled seepage velocity toward north (cell mean)",
        ),
        "speed_m_per_yr": grid.to_dataarray(
            np.hypot(vx, vy),
            name="speed_m_per_yr",
            units="m/yr",
            long_name="modelled seepage speed, the magnitude of the velocity (cell mean)",
        ),
    }


def _receptor_variables(
    scenario: Scenario, record: TransportRecord, arrival_yr: np.ndarray
) -> dict[str, xr.DataArray]:
    resolution = (
        f"receptor concentrations recorded every {scenario.arrival_resolution_yr:g} yr (and at "
        "the output times); the crossing time is interpolated linearly between records"
    )
    never = "NaN: not reached within the horizon"
    variables = {
        "arrival_yr": xr.DataArray(
            arrival_yr,
            dims=("receptor", "threshold_mg_per_l"),
            attrs={
                "units": "yr",
                "long_name": f"modelled first arrival, years since t = 0 ({never})",
                "resolution": resolution,
            },
        ),
        "receptor_concentration": xr.DataArray(
            record.receptor_mg_per_l,
            dims=("record_time_yr", "receptor"),
            attrs={"units": "mg/L", "long_name": "modelled highest concentration in the receptor"},
        ),
    }
    if scenario.start_year is not None:
        calendar = variables["arrival_yr"] + scenario.start_year
        variables["arrival_calendar_year"] = calendar.assign_attrs(
            units="calendar year",
            long_name=f"modelled calendar year of first arrival ({never})",
            resolution=resolution,
        )
    return variables


def _transport_variables(
    scenario: Scenario, record: TransportRecord, arrival_yr: np.ndarray
) -> dict[str, xr.DataArray]:
    concentration = scenario.grid.to_dataarray(
        record.fields_mg_per_l,
        name="concentration",
        units="mg/L",
        long_name="modelled concentration (depth-averaged)",
    ).rename({"dim_0": "time_yr"})
    variables = {
        "concentration": concentration,
        **_receptor_variables(scenario, record, arrival_yr),
    }
    if scenario.observations:
        variables["observed_concentration"] = xr.DataArray(
            record.observed_mg_per_l,
            dims=("observation",),
            attrs={
                "units": "mg/L",
                "long_name": "modelled highest concentration in the observation's cells at its "
                "time, to compare with what was observed",
            },
        )
    for term in MASS_TERMS:
        variables[term] = xr.DataArray(
            record.budget_kg[term],
            dims=("time_yr",),
            attrs={"units": "kg", "long_name": _BUDGET_NAMES[term]},
        )
    return variables


def _coordinates(scenario: Scenario, record: TransportRecord) -> dict[str, tuple]:
    times = np.asarray(scenario.output_times_yr)
    coordinates: dict[str, tuple] = {
        "time_yr": (
            "time_yr",
            times,
            {"units": "yr", "long_name": "years since t = 0", "axis": "T"},
        ),
        "receptor": (
            "receptor",
            [r.name for r in scenario.receptors],
            {"long_name": "receptor"},
        ),
        "threshold_mg_per_l": (
            "threshold_mg_per_l",
            np.asarray(scenario.thresholds_mg_per_l, dtype=float),
            {"units": "mg/L", "long_name": "concentration threshold"},
        ),
        "record_time_yr": (
            "record_time_yr",
            record.times_yr,
            {"units": "yr", "long_name": "years since t = 0 (dense receptor record)"},
        ),
    }
    if scenario.observations:
        coordinates["observation"] = (
            "observation",
            [o.name for o in scenario.observations],
            {"long_name": "observation"},
        )
        coordinates["observation_time_yr"] = (
            "observation",
            [o.time_yr for o in scenario.observations],
            {"units": "yr", "long_name": "years since t = 0 of the observation"},
        )
    if scenario.start_year is not None:
        coordinates["calendar_year"] = (
            "time_yr",
            times + scenario.start_year,
            {"units": "calendar year"},
        )
    return coordinates


def plume_dataset(
    scenario: Scenario,
    head_m: np.ndarray,
    velocities: tuple[np.ndarray, np.ndarray],
    record: TransportRecord | None,
    arrival_yr: np.ndarray,
    assumptions: list[str],
) -> xr.Dataset:
    """The dataset of a run (see :func:`atlas.run.run_scenario` for its variables).

    Parameters
    ----------
    scenario : Scenario
        The scenario run.
    head_m : numpy.ndarray, shape (ny, nx)
        Steady heads, m (y-up).
    velocities : tuple of numpy.ndarray, shape (ny, nx)
        Cell-centred seepage velocities toward east and north, m/yr (y-up).
    record : TransportRecord or None
        What the transport recorded; None for a flow-only run.
    arrival_yr : numpy.ndarray, shape (n_receptors, n_thresholds)
        First arrivals, years since t = 0 (NaN: not reached).
    assumptions : list of str
        The model's assumptions, kept in the attributes.
    """
    spatial = _spatial_variables(scenario, head_m, velocities)
    if record is None:
        variables = spatial
    else:  # concentration first, as CF readers list it
        transport = _transport_variables(scenario, record, arrival_yr)
        variables = {"concentration": transport.pop("concentration"), **spatial, **transport}
    for variable in variables.values():
        variable.attrs["modelled"] = MODELLED_LABEL
    dataset = xr.Dataset(variables)
    if record is not None:
        dataset = dataset.assign_coords(_coordinates(scenario, record))
    dataset.attrs = {
        "title": f"{scenario.name}: modelled groundwater plume",
        "Conventions": "CF-1.8",
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "assumptions": "\n".join(assumptions),
        "provenance": "\n".join(f"{key}: {text}" for key, text in scenario.provenance.items()),
        "start_year": "" if scenario.start_year is None else str(scenario.start_year),
    }
    return dataset
