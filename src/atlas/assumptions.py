"""The model's assumptions in plain words, for summaries, attributes and pages."""

from __future__ import annotations

from atlas.scenario import GridRaster, HeadDrivenFlow, Scenario, Source, UniformFlow

__all__ = ["assumptions"]


def assumptions(scenario: Scenario) -> list[str]:
    """The model's assumptions in plain words, for summaries, attributes and pages."""
    aquifer, flow = scenario.aquifer, scenario.flow
    lines = [
        "single aquifer layer, concentrations depth-averaged over the saturated thickness "
        f"({aquifer.thickness_m:g} m); steady flow",
        "concentrations are increments above a background taken as 0 mg/L, while source "
        "concentrations and thresholds are compared as given (absolute values)",
    ]
    if isinstance(flow, UniformFlow):
        lines.append(
            f"uniform seepage velocity {flow.velocity_m_per_yr:g} m/yr toward azimuth "
            f"{flow.direction_deg:g} deg (clockwise from north); clean water enters upstream"
        )
    else:
        heads = ", ".join(f"{h.display_name} at {h.head_m:g} m" for h in flow.fixed_heads)
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
    alpha_l, alpha_t = aquifer.longitudinal_dispersivity_m, aquifer.transverse_dispersivity_m
    if alpha_t < alpha_l / 100 and not (
        isinstance(flow, UniformFlow) and flow.direction_deg % 90.0 == 0.0
    ):
        lines.append(
            f"where the flow runs oblique to the grid, transverse dispersion is raised to that of "
            f"a dispersivity of {alpha_l / 100:g} m (alpha_L / 100) wherever {alpha_t:g} m would "
            "need exchanges over more than five cells; along the grid axes it is used as given"
        )
    if scenario.solver.dispersion_order == 4:
        lines.append(
            "fourth-order dispersion between cells (solver.dispersion_order = 4): where a plume "
            "is only a few cells wide, as next to a well, most of the excess peak of the "
            "default scheme is removed (on MT3DMS problem 3's 10 m cells within about 3 % of the "
            "exact cell means, where the default is up to 11 % high: bench/near_source_bench.py)"
        )
    for source in scenario.sources:
        strength = (
            f"held at {source.concentration_mg_per_l:g} mg/L"
            if source.concentration_mg_per_l is not None
            else f"releasing {source.mass_rate_kg_per_yr:g} kg/yr"
        )
        until = "the horizon" if source.end_yr is None else f"year {source.end_yr:g}"
        lines.append(
            f"source {source.display_name}: {strength} from year {source.start_yr:g} to {until}"
        )
        if source.leaks:
            lines.append(_leakage(source, flow))
    if not scenario.sources and scenario.initial is None:
        lines.append("flow only: no source and no initial plume, so no solute is moved")
    grid = scenario.grid
    lines.append(
        f"grid of {grid.nx} x {grid.ny} cells of {grid.cell_size_m:g} m in "
        f"{scenario.crs.to_string()}; times in years since t = 0"
        + ("" if scenario.start_year is None else f" (t = 0 is {scenario.start_year})")
    )
    return lines


def _leakage(source: Source, flow: UniformFlow | HeadDrivenFlow) -> str:
    """The assumption of a leaking source: how much, and how the mound enters the flow."""
    if source.leakage_mm_per_yr is not None:
        amount = f"{source.leakage_mm_per_yr:g} mm/yr over its cells"
    else:
        over = "shared evenly by its wells" if source.at_points else "spread over its cells"
        amount = f"{source.leakage_m3_per_day:g} m3/day {over}"
    how = (
        "its mound, the steady mound of an infinite aquifer of transmissivity K b (no grid "
        "edge holds it), is superposed on the uniform flow; the mound's velocities "
        "(W / (b n) scaled by the geometry) do not depend on K, its heights do (as 1 / (K b)) "
        "and are given relative to their mean over the grid's outer ring"
        if isinstance(flow, UniformFlow)
        else "recharge in the steady head solve"
    )
    carries = (
        "the leaked water enters at the source's concentration"
        if source.concentration_mg_per_l is not None
        else "the leaked water enters clean and dilutes the source's mass rate"
    )
    return (
        f"source {source.display_name} leaks water into the aquifer, {amount}: {how}; the flow is "
        "steady, so the mound stands for the whole run (from t = 0, whatever the source's "
        "start and end), which overstates its push in the early years (a real mound builds up "
        f"over years to decades), and {carries}"
    )
