"""Run a scenario: steady flow, plume transport and its impact, as one result.

:func:`run_scenario` is the wiring between the validated :class:`~atlas.scenario.Scenario`, the
numerics of :mod:`atlas.plume` (y-up arrays on bare grids), the impact measures of
:mod:`atlas.impact` and the :class:`~atlas.result.PlumeResult` every writer takes, with its
labelled, north-up CF :class:`xarray.Dataset`. Everything it returns is **modelled**.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import xarray as xr

from atlas.assumptions import assumptions
from atlas.dataset import MASS_TERMS, TransportRecord, plume_dataset
from atlas.errors import ScenarioError
from atlas.impact import (
    arrival_table,
    arrival_times_yr,
    isochrones,
    output_time_table,
    receptor_maxima,
    source_flow,
)
from atlas.plume.flow import (
    DAYS_PER_YEAR,
    cell_velocities,
    darcy_face_velocities,
    hydraulic_gradient,
    steady_heads,
    uniform_face_velocities,
)
from atlas.plume.mound import edge_referenced, infinite_aquifer_mound_m
from atlas.plume.scheme import face_dispersion
from atlas.plume.transport import (
    FixedConcentrationSource,
    MassRateSource,
    TransportParameters,
    simulate,
)
from atlas.result import PlumeResult, SourceFlow
from atlas.scenario import HeadDrivenFlow, Scenario, UniformFlow
from atlas.scenario.digest import inputs_sha256

__all__ = [
    "DENSE_RECORD_BYTES",
    "FlowField",
    "flow_field",
    "leakage_m_per_yr",
    "mound_m",
    "run_scenario",
]

DENSE_RECORD_BYTES = 64 * 2**20
"""Memory for the dense record of fields between output times (arrival times); larger runs
are cut into more segments."""

ProgressCallback = Callable[[float], None]


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
    fixed_head_m : numpy.ndarray or None, shape (ny, nx)
        The fixed heads in m (NaN in free cells); None for uniform flow.
    """

    head_m: np.ndarray
    vx_face_m_per_yr: np.ndarray
    vy_face_m_per_yr: np.ndarray
    fixed_head_m: np.ndarray | None = None

    def cell_velocities(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centred seepage velocities (vx, vy) in m/yr, y-up: the velocity of the water
        through each cell (:func:`atlas.plume.flow.cell_velocities`)."""
        return cell_velocities(
            self.vx_face_m_per_yr, self.vy_face_m_per_yr, fixed_head_m=self.fixed_head_m
        )


def leakage_m_per_yr(scenario: Scenario) -> np.ndarray:
    """The sources' leakage of water as recharge on the grid, in m/yr, y-up.

    A source's ``leakage_mm_per_yr`` is the rate in each of its cells;
    ``leakage_m3_per_day`` is spread evenly over its cells (the rasterized area, so that the
    volume entering the model is the one given: ``Q x 365.25 d / (cells x cell_size_m²)``),
    or for wells shared evenly by the wells, as their mass rate is
    (:meth:`atlas.grid.Grid.count_points`), so that every well injects water of the same
    concentration. Where sources overlap their leakages add up.
    """
    grid = scenario.grid
    rate = np.zeros(grid.shape)
    for source in scenario.sources:
        if not source.leaks:
            continue
        if source.leakage_mm_per_yr is not None:
            rate[grid.rasterize(source.geometry)] += source.leakage_mm_per_yr / 1000.0
        elif source.leakage_m3_per_day is not None:
            geometry = source.geometry
            share = grid.count_points(geometry) if source.at_points else grid.rasterize(geometry)
            if share.any():  # the scenario reader refuses a source off the grid
                area_m2 = share.sum() * grid.cell_size_m**2
                rate += share * (source.leakage_m3_per_day * DAYS_PER_YEAR / area_m2)
    return rate


def flow_field(scenario: Scenario) -> FlowField:
    """Steady heads and seepage velocities of a scenario.

    Head-driven flow: heads from :func:`atlas.plume.flow.steady_heads` with the fixed-head
    geometries (a later ``[[flow.fixed_head]]`` wins where two overlap), the areal recharge plus
    the sources' leakage (:func:`leakage_m_per_yr`) and no-flow grid edges; velocities by
    Darcy's law. Uniform flow: the given velocity everywhere; the head is the linear field it
    implies, ``i = v n_e / K`` falling along the flow, relative to 0 m at the most downstream
    cell centre, when the conductivity is one number; NaN otherwise (no conductivity, or a
    raster, with which a uniform velocity is not consistent). A leaking source under uniform
    flow adds its mound (:func:`_mound`: an infinite aquifer's, its heights relative to the
    grid's edge), superposed: heads and velocities are sums, exact for the linear (confined,
    transmissivity ``K b``) flow equation.
    """
    grid, aquifer, flow = scenario.grid, scenario.aquifer, scenario.flow
    conductivity = scenario.conductivity_m_per_day
    recharge = leakage_m_per_yr(scenario)
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
            flow.recharge_mm_per_yr / 1000.0 + recharge,
        )
        faces = darcy_face_velocities(
            heads, conductivity, aquifer.effective_porosity, grid.cell_size_m
        )
        return FlowField(heads, *faces, fixed_head_m=fixed)
    vx, vy = uniform_face_velocities(grid.shape, flow.velocity_m_per_yr, flow.direction_deg)
    heads = _implied_heads(scenario, flow)
    if recharge.any():
        mound, (mound_vx, mound_vy) = _mound(scenario, recharge)
        heads, vx, vy = heads + mound, vx + mound_vx, vy + mound_vy
    return FlowField(heads, vx, vy)


def mound_m(scenario: Scenario) -> np.ndarray | None:
    """The leakage mound of a uniform-flow scenario, m, y-up (:func:`_mound`: an infinite
    aquifer's, relative to its mean over the grid's outer ring); None when no source leaks or
    the flow is head-driven (its heads are not split into regional and mound)."""
    recharge = leakage_m_per_yr(scenario)
    if isinstance(scenario.flow, HeadDrivenFlow) or not recharge.any():
        return None
    return _mound(scenario, recharge)[0]


def _mound(
    scenario: Scenario, recharge_m_per_yr: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """The rise of the heads (m) under leaking sources, and its seepage face velocities
    (m/yr), for uniform flow: the steady mound of an infinite aquifer of the scenario's
    transmissivity (:func:`atlas.plume.mound.infinite_aquifer_mound_m`; no grid edge holds
    it, and the edge faces carry its outflow), its heights relative to their mean over the
    grid's outer ring of cells."""
    grid, aquifer = scenario.grid, scenario.aquifer
    conductivity = aquifer.hydraulic_conductivity_m_per_day
    if not isinstance(conductivity, float):  # prevented by the scenario's validation
        raise ScenarioError("a leakage mound under uniform flow needs one conductivity")
    transmissivity_m2_per_yr = conductivity * DAYS_PER_YEAR * aquifer.thickness_m
    # one ghost cell around the grid, so that the edge faces carry the mound's outflow
    padded = infinite_aquifer_mound_m(
        np.pad(recharge_m_per_yr, 1), transmissivity_m2_per_yr, grid.cell_size_m
    )
    vx, vy = darcy_face_velocities(
        padded, np.full(padded.shape, conductivity), aquifer.effective_porosity, grid.cell_size_m
    )
    return edge_referenced(padded[1:-1, 1:-1]), (vx[1:-1, 1:-1], vy[1:-1, 1:-1])


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
    scenario: Scenario,
    masks: list[np.ndarray],
    wells: list[np.ndarray | None],
    start_yr: float,
    end_yr: float,
) -> list[FixedConcentrationSource | MassRateSource]:
    """The sources active in ``[start_yr, end_yr]``, in the segment's own clock (0 = start).
    ``wells`` holds the wells per cell of each source of points (None for the others), which
    share a mass rate evenly by well."""
    terms: list[FixedConcentrationSource | MassRateSource] = []
    for source, mask, per_cell in zip(scenario.sources, masks, wells, strict=True):
        on = max(source.start_yr, start_yr)
        off = min(scenario.horizon_yr if source.end_yr is None else source.end_yr, end_yr)
        if off <= on:
            continue
        window = (on - start_yr, off - start_yr)
        if source.concentration_mg_per_l is not None:
            terms.append(FixedConcentrationSource(mask, source.concentration_mg_per_l, *window))
        elif source.mass_rate_kg_per_yr is not None:
            terms.append(
                MassRateSource(
                    mask,
                    source.mass_rate_kg_per_yr,
                    *window,
                    at_cell_centres=source.at_points,
                    cell_weights=per_cell,
                )
            )
    return terms


def _record_times(scenario: Scenario) -> np.ndarray:
    """Output times and observation times merged with a regular record every
    ``arrival_resolution_yr``."""
    step = scenario.arrival_resolution_yr
    regular = np.arange(1, math.floor(scenario.horizon_yr / step + 1e-9) + 1) * step
    observed = [o.time_yr for o in scenario.observations]
    merged = np.union1d(np.round(regular, 9), [*scenario.output_times_yr, *observed])
    return merged[merged <= scenario.horizon_yr]


def _segments(times: np.ndarray, per_segment: int) -> Iterator[np.ndarray]:
    for first in range(0, times.size, per_segment):
        yield times[first : first + per_segment]


def _run(scenario: Scenario, flow: FlowField, progress: ProgressCallback | None) -> TransportRecord:
    """Transport in segments, recording receptor maxima at every record time and whole fields
    (with the mass budget) at the output times."""
    grid = scenario.grid
    parameters = _parameters(scenario)
    source_masks = [grid.rasterize(source.geometry) for source in scenario.sources]
    wells = [grid.count_points(s.geometry) if s.at_points else None for s in scenario.sources]
    receptor_masks = [grid.rasterize(receptor.geometry) for receptor in scenario.receptors]
    observation_masks = [grid.rasterize(o.geometry) for o in scenario.observations]
    observed = np.zeros(len(observation_masks))
    times = _record_times(scenario)
    outputs = np.asarray(scenario.output_times_yr)
    per_segment = max(1, DENSE_RECORD_BYTES // (8 * grid.nx * grid.ny))
    # one decomposition of the dispersion for the whole run, and the step count carried from
    # segment to segment: the segments then take the steps of a single run
    dispersion = face_dispersion(
        flow.vx_face_m_per_yr,
        flow.vy_face_m_per_yr,
        parameters.longitudinal_dispersivity_m,
        parameters.transverse_dispersivity_m,
        parameters.molecular_diffusion_m2_per_yr,
    )
    steps_done = 0
    state = _initial(scenario)
    start_yr = 0.0
    totals = dict.fromkeys(MASS_TERMS, 0.0)
    receptor_rows = [receptor_maxima(state[None], receptor_masks)]
    fields: list[np.ndarray] = []
    budget: dict[str, list[np.ndarray]] = {term: [] for term in MASS_TERMS}
    for segment in _segments(times, per_segment):
        result = simulate(
            cell_size_m=grid.cell_size_m,
            vx_face_m_per_yr=flow.vx_face_m_per_yr,
            vy_face_m_per_yr=flow.vy_face_m_per_yr,
            parameters=parameters,
            initial_mg_per_l=state,
            sources=_sources_between(scenario, source_masks, wells, start_yr, segment[-1]),
            output_times_yr=segment - start_yr,
            progress=None
            if progress is None
            else _scaled(progress, start_yr, float(segment[-1]), scenario.horizon_yr),
            dispersion=dispersion,
            first_step=steps_done,
            dispersion_order=scenario.solver.dispersion_order,
        )
        steps_done += result.n_steps
        concentration = np.asarray(result.concentration_mg_per_l)
        receptor_rows.append(receptor_maxima(concentration, receptor_masks))
        for k, observation in enumerate(scenario.observations):
            at = np.flatnonzero(segment == observation.time_yr)
            if at.size:
                observed[k] = receptor_maxima(concentration[at], [observation_masks[k]])[0, 0]
        wanted = np.isin(segment, outputs)
        fields.append(concentration[wanted])
        for term in MASS_TERMS:
            series = np.asarray(getattr(result, term), dtype=float)
            offset = 0.0 if term == "mass_stored_kg" else totals[term]
            budget[term].append(series[wanted] + offset)
            totals[term] = float(series[-1]) + offset
        state = concentration[-1]
        start_yr = float(segment[-1])
    _observe_head_rise(scenario, observation_masks, observed)
    return TransportRecord(
        times_yr=np.concatenate([[0.0], times]),
        receptor_mg_per_l=np.concatenate(receptor_rows),
        fields_mg_per_l=np.concatenate(fields),
        budget_kg={term: np.concatenate(parts) for term, parts in budget.items()},
        observed_mg_per_l=observed,
    )


def _observe_head_rise(scenario: Scenario, masks: list[np.ndarray], observed: np.ndarray) -> None:
    """Puts the leakage mound's highest value (m) in the cells of each head-rise observation
    into ``observed`` (the mound is steady: the same at every time)."""
    rises = [k for k, o in enumerate(scenario.observations) if o.max_head_rise_m is not None]
    mound = mound_m(scenario) if rises else None
    for k in rises:
        observed[k] = 0.0 if mound is None else float(mound[masks[k]].max())


def _scaled(
    progress: ProgressCallback, start_yr: float, end_yr: float, horizon_yr: float
) -> ProgressCallback:
    """Turns a segment's fraction done into the fraction of the whole run done."""

    def report(fraction: float) -> None:
        progress(min(1.0, (start_yr + fraction * (end_yr - start_yr)) / horizon_yr))

    return report


def run_scenario(scenario: Scenario, *, progress: ProgressCallback | None = None) -> PlumeResult:
    """Run a scenario: steady flow, then the plume and its impact.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (:func:`atlas.scenario.load_scenario`).
    progress : callable, optional
        Called with the fraction of the run done (0 to 1).

    Returns
    -------
    PlumeResult
        The result (see :class:`atlas.result.PlumeResult`). Its ``dataset`` holds
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
        the assumptions and the provenance of the parameters. A scenario with neither source
        nor initial plume runs flow only: heads and velocities, no transport.
    """
    flow = flow_field(scenario)
    velocities = flow.cell_velocities()
    lines = assumptions(scenario)
    if not scenario.sources and scenario.initial is None:
        if progress is not None:
            progress(1.0)
        dataset = plume_dataset(scenario, flow.head_m, velocities, None, np.empty((0, 0)), lines)
        return _result(scenario, dataset, velocities, lines, arrivals=np.empty((0, 0)))
    record = _run(scenario, flow, progress)
    arrival = arrival_times_yr(
        record.times_yr, record.receptor_mg_per_l, scenario.thresholds_mg_per_l
    )
    dataset = plume_dataset(scenario, flow.head_m, velocities, record, arrival, lines)
    return _result(scenario, dataset, velocities, lines, arrivals=arrival, record=record)


def _result(
    scenario: Scenario,
    dataset: xr.Dataset,
    velocities: tuple[np.ndarray, np.ndarray],
    lines: list[str],
    *,
    arrivals: np.ndarray,
    record: TransportRecord | None = None,
) -> PlumeResult:
    """The result of a run; without a ``record`` (flow only) its plume tables are empty."""
    times = () if record is None else scenario.output_times_yr
    fields = np.empty((0, *scenario.grid.shape)) if record is None else record.fields_mg_per_l
    budget = {term: np.empty(0) for term in MASS_TERMS} if record is None else record.budget_kg
    receptors = () if record is None else scenario.receptors
    return PlumeResult(
        scenario=scenario,
        dataset=dataset,
        isochrones=isochrones(
            np.flip(fields, axis=1),  # north-up, as the dataset
            times,
            scenario.thresholds_mg_per_l,
            scenario.grid,
            scenario=scenario.name,
            start_year=scenario.start_year,
        ),
        arrivals=arrival_table(
            arrivals,
            scenario.thresholds_mg_per_l,
            [(receptor.name, receptor.thresholds_mg_per_l) for receptor in receptors],
            scenario.start_year,
        ),
        output_times=output_time_table(times, fields, budget),
        source_flow=_source_flow(scenario, velocities),
        assumptions=tuple(lines),
        inputs_sha256=inputs_sha256(scenario),
    )


def _source_flow(
    scenario: Scenario, velocities: tuple[np.ndarray, np.ndarray]
) -> SourceFlow | None:
    mask = np.zeros(scenario.grid.shape, dtype=bool)
    for source in scenario.sources:
        mask |= scenario.grid.rasterize(source.geometry)
    return source_flow(
        mask,
        *velocities,
        scenario.conductivity_m_per_day,
        scenario.aquifer.effective_porosity,
    )
