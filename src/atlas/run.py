"""Run a scenario: steady flow, plume transport, arrival times at receptors, as one Dataset.

:func:`project` is the wiring between the validated :class:`~atlas.scenario.Scenario`, the
numerics of :mod:`atlas.plume` (y-up arrays on bare grids) and the labelled, north-up
:class:`xarray.Dataset` the publishers write. Everything it returns is **modelled**.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import xarray as xr

from atlas.errors import ScenarioError
from atlas.impact import arrival_times_yr, receptor_maxima
from atlas.plume.flow import (
    cell_velocities,
    darcy_face_velocities,
    hydraulic_gradient,
    steady_heads,
    uniform_face_velocities,
)
from atlas.plume.transport import (
    FixedConcentrationSource,
    MassRateSource,
    TransportParameters,
    simulate,
)
from atlas.scenario import GridRaster, HeadDrivenFlow, Scenario, UniformFlow

__all__ = [
    "DENSE_RECORD_BYTES",
    "MODELLED_LABEL",
    "FlowField",
    "assumptions",
    "flow_field",
    "project",
]

MODELLED_LABEL = (
    "MODELLED, not measured: a screening projection computed from the stated assumptions and "
    "parameters; not calibrated against measured concentrations"
)
"""The label every modelled output carries."""

DENSE_RECORD_BYTES = 64 * 2**20
"""Memory for the dense record of fields between output times (arrival times); larger runs
are cut into more segments."""

ProgressCallback = Callable[[float], None]
_MASS_TERMS = ("mass_in_kg", "mass_stored_kg", "mass_out_kg", "mass_decayed_kg")


class FlowField(NamedTuple):
    """Steady flow on the grid (y-up arrays).

    Attributes
    ----------
    head_m : numpy.ndarray, shape (ny, nx)
        Hydraulic head in m (uniform flow: the implied linear field, or NaN; see
        :func:`flow_field`).
    vx_face_m_per_yr : numpy.ndarray, shape (ny, nx + 1)
    vy_face_m_per_yr : numpy.ndarray, shape (ny + 1, nx)
        Seepage velocities on cell faces, m/yr, toward +x (east) and +y (north).
    """

    head_m: np.ndarray
    vx_face_m_per_yr: np.ndarray
    vy_face_m_per_yr: np.ndarray


def flow_field(scenario: Scenario) -> FlowField:
    """Steady heads and seepage velocities of a scenario.

    Head-driven flow: heads from :func:`atlas.plume.flow.steady_heads` with the fixed-head
    geometries (a later ``[[flow.fixed_head]]`` wins where two overlap), recharge and no-flow
    grid edges; velocities by Darcy's law. Uniform flow: the given velocity everywhere; the head
    is the linear field it implies, ``i = v n_e / K`` falling along the flow, relative to 0 m at
    the most downstream cell centre, when the conductivity is one number; NaN otherwise (no
    conductivity, or a raster, with which a uniform velocity is not consistent).
    """
    grid, aquifer, flow = scenario.grid, scenario.aquifer, scenario.flow
    conductivity = scenario.conductivity_m_per_day
    if isinstance(flow, HeadDrivenFlow):
        if conductivity is None:  # prevented by the scenario's validation
            raise ScenarioError("head-driven flow needs aquifer.hydraulic_conductivity_m_per_day")
        fixed = np.full(grid.shape, np.nan)
        for boundary in flow.fixed_heads:
            fixed[grid.rasterize(boundary.geometry)] = boundary.head_m
        heads = steady_heads(
            conductivity,
            aquifer.thickness_m,
            grid.cell_size_m,
            fixed,
            flow.recharge_mm_per_yr / 1000.0,
        )
        faces = darcy_face_velocities(
            heads, conductivity, aquifer.effective_porosity, grid.cell_size_m
        )
        return FlowField(heads, *faces)
    faces = uniform_face_velocities(grid.shape, flow.velocity_m_per_yr, flow.direction_deg)
    return FlowField(_implied_heads(scenario, flow), *faces)


def _implied_heads(scenario: Scenario, flow: UniformFlow) -> np.ndarray:
    conductivity = scenario.aquifer.hydraulic_conductivity_m_per_day
    grid = scenario.grid
    if not isinstance(conductivity, float):
        return np.full(grid.shape, np.nan)
    gradient = float(
        hydraulic_gradient(
            flow.velocity_m_per_yr, scenario.aquifer.effective_porosity, conductivity
        )
    )
    azimuth = math.radians(flow.direction_deg)
    x, y = np.meshgrid(grid.x_centres_m, grid.y_centres_m)
    downstream_m = x * math.sin(azimuth) + y * math.cos(azimuth)
    return gradient * (downstream_m.max() - downstream_m)


def _parameters(scenario: Scenario) -> TransportParameters:
    aquifer = scenario.aquifer
    return TransportParameters(
        effective_porosity=aquifer.effective_porosity,
        thickness_m=aquifer.thickness_m,
        longitudinal_dispersivity_m=aquifer.longitudinal_dispersivity_m,
        transverse_dispersivity_m=aquifer.transverse_dispersivity_m,
        retardation=aquifer.retardation,
        half_life_yr=aquifer.half_life_yr,
        molecular_diffusion_m2_per_yr=aquifer.molecular_diffusion_m2_per_yr,
    )


def _initial(scenario: Scenario) -> np.ndarray:
    initial = scenario.initial
    if initial is None:
        return np.zeros(scenario.grid.shape)
    if initial.raster is not None:
        return initial.raster.values.copy()
    field = np.zeros(scenario.grid.shape)
    if initial.geometry is not None and initial.concentration_mg_per_l is not None:
        field[scenario.grid.rasterize(initial.geometry)] = initial.concentration_mg_per_l
    return field


def _sources_between(
    scenario: Scenario, masks: list[np.ndarray], start_yr: float, end_yr: float
) -> list[FixedConcentrationSource | MassRateSource]:
    """The sources active in ``[start_yr, end_yr]``, in the segment's own clock (0 = start)."""
    terms: list[FixedConcentrationSource | MassRateSource] = []
    for source, mask in zip(scenario.sources, masks, strict=True):
        on = max(source.start_yr, start_yr)
        off = min(scenario.horizon_yr if source.end_yr is None else source.end_yr, end_yr)
        if off <= on:
            continue
        window = (on - start_yr, off - start_yr)
        if source.concentration_mg_per_l is not None:
            terms.append(FixedConcentrationSource(mask, source.concentration_mg_per_l, *window))
        elif source.mass_rate_kg_per_yr is not None:
            terms.append(MassRateSource(mask, source.mass_rate_kg_per_yr, *window))
    return terms


def _record_times(scenario: Scenario) -> np.ndarray:
    """Output times merged with a regular record every ``arrival_resolution_yr``."""
    step = scenario.arrival_resolution_yr
    regular = np.arange(1, math.floor(scenario.horizon_yr / step + 1e-9) + 1) * step
    merged = np.union1d(np.round(regular, 9), scenario.output_times_yr)
    return merged[merged <= scenario.horizon_yr]


def _segments(times: np.ndarray, per_segment: int) -> Iterator[np.ndarray]:
    for first in range(0, times.size, per_segment):
        yield times[first : first + per_segment]


class _Record(NamedTuple):
    times_yr: np.ndarray
    receptor_mg_per_l: np.ndarray
    fields_mg_per_l: np.ndarray
    budget_kg: dict[str, np.ndarray]


def _run(scenario: Scenario, flow: FlowField, progress: ProgressCallback | None) -> _Record:
    """Transport in segments, recording receptor maxima at every record time and whole fields
    (with the mass budget) at the output times."""
    grid = scenario.grid
    parameters = _parameters(scenario)
    source_masks = [grid.rasterize(source.geometry) for source in scenario.sources]
    receptor_masks = [grid.rasterize(receptor.geometry) for receptor in scenario.receptors]
    times = _record_times(scenario)
    outputs = np.asarray(scenario.output_times_yr)
    per_segment = max(1, DENSE_RECORD_BYTES // (8 * grid.nx * grid.ny))
    state = _initial(scenario)
    start_yr = 0.0
    totals = dict.fromkeys(_MASS_TERMS, 0.0)
    receptor_rows = [receptor_maxima(state[None], receptor_masks)]
    fields: list[np.ndarray] = []
    budget: dict[str, list[np.ndarray]] = {term: [] for term in _MASS_TERMS}
    for segment in _segments(times, per_segment):
        result = simulate(
            cell_size_m=grid.cell_size_m,
            vx_face_m_per_yr=flow.vx_face_m_per_yr,
            vy_face_m_per_yr=flow.vy_face_m_per_yr,
            parameters=parameters,
            initial_mg_per_l=state,
            sources=_sources_between(scenario, source_masks, start_yr, segment[-1]),
            output_times_yr=segment - start_yr,
            progress=None
            if progress is None
            else _scaled(progress, start_yr, float(segment[-1]), scenario.horizon_yr),
        )
        concentration = np.asarray(result.concentration_mg_per_l)
        receptor_rows.append(receptor_maxima(concentration, receptor_masks))
        wanted = np.isin(segment, outputs)
        fields.append(concentration[wanted])
        for term in _MASS_TERMS:
            series = np.asarray(getattr(result, term), dtype=float)
            offset = 0.0 if term == "mass_stored_kg" else totals[term]
            budget[term].append(series[wanted] + offset)
            totals[term] = float(series[-1]) + offset
        state = concentration[-1]
        start_yr = float(segment[-1])
    return _Record(
        times_yr=np.concatenate([[0.0], times]),
        receptor_mg_per_l=np.concatenate(receptor_rows),
        fields_mg_per_l=np.concatenate(fields),
        budget_kg={term: np.concatenate(parts) for term, parts in budget.items()},
    )


def _scaled(
    progress: ProgressCallback, start_yr: float, end_yr: float, horizon_yr: float
) -> ProgressCallback:
    """Turns a segment's fraction done into the fraction of the whole run done."""

    def report(fraction: float) -> None:
        progress(min(1.0, (start_yr + fraction * (end_yr - start_yr)) / horizon_yr))

    return report


def assumptions(scenario: Scenario) -> list[str]:
    """The model's assumptions in plain words, for summaries, attributes and pages."""
    aquifer, flow = scenario.aquifer, scenario.flow
    lines = [
        "single aquifer layer, concentrations depth-averaged over the saturated thickness "
        f"({aquifer.thickness_m:g} m); steady flow",
    ]
    if isinstance(flow, UniformFlow):
        lines.append(
            f"uniform seepage velocity {flow.velocity_m_per_yr:g} m/yr toward azimuth "
            f"{flow.direction_deg:g} deg (clockwise from north); clean water enters upstream"
        )
    else:
        heads = ", ".join(f"{h.name} at {h.head_m:g} m" for h in flow.fixed_heads)
        lines.append(
            f"steady heads from fixed-head cells ({heads}) and recharge "
            f"{flow.recharge_mm_per_yr:g} mm/yr; no flow across the grid edges"
        )
    conductivity = aquifer.hydraulic_conductivity_m_per_day
    if isinstance(conductivity, GridRaster):
        lines.append(f"hydraulic conductivity from the raster {conductivity.path.name}")
    elif conductivity is not None:
        lines.append(f"uniform hydraulic conductivity {conductivity:g} m/d")
    decay = "no decay" if aquifer.half_life_yr is None else f"half-life {aquifer.half_life_yr:g} yr"
    lines.append(
        f"advection-dispersion: effective porosity {aquifer.effective_porosity:g}, "
        f"dispersivities {aquifer.longitudinal_dispersivity_m:g} m (longitudinal) and "
        f"{aquifer.transverse_dispersivity_m:g} m (transverse), retardation "
        f"{aquifer.retardation:g}, {decay}"
    )
    for source in scenario.sources:
        strength = (
            f"held at {source.concentration_mg_per_l:g} mg/L"
            if source.concentration_mg_per_l is not None
            else f"releasing {source.mass_rate_kg_per_yr:g} kg/yr"
        )
        until = "the horizon" if source.end_yr is None else f"year {source.end_yr:g}"
        lines.append(f"source {source.name}: {strength} from year {source.start_yr:g} to {until}")
    grid = scenario.grid
    lines.append(
        f"grid of {grid.nx} x {grid.ny} cells of {grid.cell_size_m:g} m in "
        f"{scenario.crs.to_string()}; times in years since t = 0"
        + ("" if scenario.start_year is None else f" (t = 0 is {scenario.start_year})")
    )
    return lines


_BUDGET_NAMES = {
    "mass_in_kg": "modelled cumulative solute mass entered from the sources",
    "mass_stored_kg": "modelled solute mass in the aquifer (dissolved and sorbed)",
    "mass_out_kg": "modelled cumulative solute mass left across the edges and at sinks",
    "mass_decayed_kg": "modelled cumulative solute mass lost to decay",
}


def _spatial_variables(scenario: Scenario, flow: FlowField) -> dict[str, xr.DataArray]:
    grid = scenario.grid
    vx, vy = cell_velocities(flow.vx_face_m_per_yr, flow.vy_face_m_per_yr)
    head_name = "modelled hydraulic head"
    if isinstance(scenario.flow, UniformFlow):
        head_name += " implied by the uniform flow, relative to the most downstream cell"
    return {
        "head_m": grid.to_dataarray(flow.head_m, name="head_m", units="m", long_name=head_name),
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
    }


def _receptor_variables(scenario: Scenario, record: _Record) -> dict[str, xr.DataArray]:
    arrival = arrival_times_yr(
        record.times_yr, record.receptor_mg_per_l, scenario.thresholds_mg_per_l
    )
    resolution = (
        f"receptor concentrations recorded every {scenario.arrival_resolution_yr:g} yr (and at "
        "the output times); the crossing time is interpolated linearly between records"
    )
    never = "NaN: not reached within the horizon"
    variables = {
        "arrival_yr": xr.DataArray(
            arrival,
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


def _dataset(scenario: Scenario, flow: FlowField, record: _Record) -> xr.Dataset:
    times = np.asarray(scenario.output_times_yr)
    concentration = scenario.grid.to_dataarray(
        record.fields_mg_per_l,
        name="concentration",
        units="mg/L",
        long_name="modelled concentration (depth-averaged)",
    ).rename({"dim_0": "time_yr"})
    variables = {
        "concentration": concentration,
        **_spatial_variables(scenario, flow),
        **_receptor_variables(scenario, record),
    }
    for term in _MASS_TERMS:
        variables[term] = xr.DataArray(
            record.budget_kg[term],
            dims=("time_yr",),
            attrs={"units": "kg", "long_name": _BUDGET_NAMES[term]},
        )
    for variable in variables.values():
        variable.attrs["modelled"] = MODELLED_LABEL
    dataset = xr.Dataset(variables).assign_coords(
        time_yr=("time_yr", times, {"units": "yr", "long_name": "years since t = 0"}),
        receptor=("receptor", [r.name for r in scenario.receptors], {"long_name": "receptor"}),
        threshold_mg_per_l=(
            "threshold_mg_per_l",
            np.asarray(scenario.thresholds_mg_per_l, dtype=float),
            {"units": "mg/L", "long_name": "concentration threshold"},
        ),
        record_time_yr=(
            "record_time_yr",
            record.times_yr,
            {"units": "yr", "long_name": "years since t = 0 (dense receptor record)"},
        ),
    )
    if scenario.start_year is not None:
        dataset = dataset.assign_coords(
            calendar_year=("time_yr", times + scenario.start_year, {"units": "calendar year"})
        )
    dataset.attrs = {
        "title": f"{scenario.name}: modelled groundwater plume",
        "Conventions": "CF-1.8",
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "assumptions": "\n".join(assumptions(scenario)),
        "provenance": "\n".join(f"{key}: {text}" for key, text in scenario.provenance.items()),
        "start_year": "" if scenario.start_year is None else str(scenario.start_year),
    }
    return dataset


def project(scenario: Scenario, *, progress: ProgressCallback | None = None) -> xr.Dataset:
    """Project a scenario's plume.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`atlas.scenario.load_scenario`).
    progress : callable, optional
        Called with the fraction of the run done (0 to 1).

    Returns
    -------
    xarray.Dataset
        ``concentration`` (time_yr, y, x) in mg/L, north-up (``y`` descending) at the cell
        centres in the scenario CRS (CF grid mapping ``spatial_ref``); ``head_m``,
        ``velocity_x_m_per_yr``, ``velocity_y_m_per_yr`` (y, x) (see :func:`flow_field` for
        the head of uniform flow); ``arrival_yr`` (receptor, threshold_mg_per_l), years since
        t = 0, NaN where not reached within the horizon, for every threshold at every
        receptor, from a record finer than the output times (``arrival_resolution_yr``), and
        ``arrival_calendar_year`` when the scenario has a ``start_year``;
        ``receptor_concentration`` (record_time_yr, receptor); and the mass budget
        ``mass_in_kg``, ``mass_stored_kg``, ``mass_out_kg``, ``mass_decayed_kg`` (time_yr).
        Every variable and the dataset carry a "modelled" label; the dataset's attributes hold
        the assumptions and the provenance of the parameters.
    """
    flow = flow_field(scenario)
    record = _run(scenario, flow, progress)
    return _dataset(scenario, flow, record)
