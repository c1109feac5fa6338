"""The facts a page shows of a plume result, each with its source: flow at the source,
parameters, arrival years.

:func:`plume_facts` turns a :class:`~atlas.result.PlumeResult` into labelled plain-text
entries, every number with where it comes from (the scenario's provenance) and modelled
numbers marked as modelled. Nothing is computed here but the wording.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from atlas.result import PlumeResult, SourceFlow
from atlas.scenario import GridRaster, HeadDrivenFlow, Scenario

__all__ = ["UNDOCUMENTED", "Entry", "Fact", "plain_number", "plume_facts"]

UNDOCUMENTED = "no source given in the scenario"


@dataclass(frozen=True)
class Entry:
    """One cell of a projection table: a plain-text value and where it comes from."""

    value: str
    source: str
    modelled: bool = False


Fact = tuple[str, Entry]
"""A labelled entry of a projection."""


def plain_number(value: float) -> str:
    """Three significant digits, thousands separated: 2,725; 220; 4.3; 0.00402."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _range(values: tuple[float, float, float], unit: str) -> str:
    """``"25.1 m/yr (median; 24.4-26 m/yr)"`` for (median, min, max); one number when equal."""
    median, low, high = values
    if math.isclose(low, high, rel_tol=1e-9):
        return f"{plain_number(median)} {unit}"
    return (
        f"{plain_number(median)} {unit} (median; {plain_number(low)}-{plain_number(high)} {unit})"
    )


def _provenance(provenance: Mapping[str, str], *keys: str) -> str:
    """The provenance of each key, or of its nearest documented parent key; several are
    joined, each after its key."""
    found: dict[str, str] = {}
    for key in keys:
        parts = key.split(".")
        parents = (".".join(parts[:n]) for n in range(len(parts), 0, -1))
        documented = next((parent for parent in parents if parent in provenance), None)
        found.setdefault(
            documented or key, UNDOCUMENTED if documented is None else provenance[documented]
        )
    if len(found) == 1:
        return next(iter(found.values()))
    return "; ".join(f"{key}: {text}" for key, text in found.items())


def _year(scenario: Scenario, years_after: float) -> str:
    """The calendar year ``years_after`` years after t = 0, or "year N" without a start year."""
    start = scenario.start_year
    return f"year {years_after:g}" if start is None else f"{math.floor(start + years_after)}"


def _arrival(scenario: Scenario, arrival: pd.Series) -> str:
    """``"1997 (32.6 yr after 1965)"``, or ``"not reached by 2565"`` (the horizon)."""
    start = scenario.start_year
    years = float(arrival["arrival_yr"])
    if math.isnan(years):
        horizon_yr = scenario.horizon_yr
        if start is None:
            return f"not reached within {horizon_yr:g} yr"
        return f"not reached by {_year(scenario, horizon_yr)}"
    if start is None:
        return f"{years:.1f} yr after t = 0"
    return f"{math.floor(arrival['arrival_calendar_year'])} ({years:.1f} yr after {start})"


def _flow_facts(scenario: Scenario, flow: SourceFlow) -> list[Fact]:
    provenance = scenario.provenance
    aquifer = scenario.aquifer
    flow_keys = sorted(key for key in provenance if key.startswith("flow."))
    head_driven = isinstance(scenario.flow, HeadDrivenFlow)
    speed_source = (
        "computed from the steady heads by Darcy's law, v = K i / n_e, with the conductivity, "
        f"porosity and boundaries below ({flow.cells:,} source cells)"
        if head_driven
        else "set in the scenario: " + _provenance(provenance, "flow.velocity_m_per_yr")
    )
    conductivity = aquifer.hydraulic_conductivity_m_per_day
    if flow.conductivity_m_per_day is None:
        conductivity_text = "not used (the seepage velocity is given)"
    elif isinstance(conductivity, GridRaster):
        low, high = float(conductivity.values.min()), float(conductivity.values.max())
        conductivity_text = (
            _range(flow.conductivity_m_per_day, "m/d")
            + " at the source"
            + f"; {plain_number(low)}-{plain_number(high)} m/d over the grid (raster "
            f"{conductivity.path.name})"
        )
    else:
        conductivity_text = f"{plain_number(flow.conductivity_m_per_day[0])} m/d, uniform"
    gradient = (
        Entry("not used", "no hydraulic conductivity in the scenario")
        if flow.gradient is None
        else Entry(
            f"{flow.gradient:.2g} at the source (median), i = v n_e / K",
            ("from the fixed heads: " if head_driven else "implied by the given velocity: ")
            + _provenance(provenance, *flow_keys),
            modelled=head_driven,
        )
    )
    return [
        (
            "Seepage speed at the source",
            Entry(_range(flow.speed_m_per_yr, "m/yr"), speed_source, head_driven),
        ),
        (
            "Hydraulic conductivity K",
            Entry(
                conductivity_text,
                _provenance(provenance, "aquifer.hydraulic_conductivity_m_per_day"),
            ),
        ),
        (
            "Effective porosity n_e",
            Entry(
                plain_number(aquifer.effective_porosity),
                _provenance(provenance, "aquifer.effective_porosity"),
            ),
        ),
        ("Hydraulic gradient i", gradient),
        (
            "Dispersivity (longitudinal / transverse)",
            Entry(
                f"{plain_number(aquifer.longitudinal_dispersivity_m)} m / "
                f"{plain_number(aquifer.transverse_dispersivity_m)} m",
                _provenance(
                    provenance,
                    "aquifer.longitudinal_dispersivity_m",
                    "aquifer.transverse_dispersivity_m",
                ),
            ),
        ),
    ]


def _source_facts(scenario: Scenario) -> list[Fact]:
    facts = []
    for source in scenario.sources:
        strength = (
            f"{plain_number(source.concentration_mg_per_l)} mg/L held in the source cells"
            if source.concentration_mg_per_l is not None
            else f"{plain_number(source.mass_rate_kg_per_yr or 0.0)} kg/yr released"
        )
        until = "the horizon" if source.end_yr is None else _year(scenario, source.end_yr)
        key = f"source.{source.name}"
        facts.append(
            (
                f"Source {source.display_name}",
                Entry(
                    f"{strength}, from {_year(scenario, source.start_yr)} to {until}",
                    _provenance(
                        scenario.provenance,
                        f"{key}.concentration_mg_per_l"
                        if source.concentration_mg_per_l is not None
                        else f"{key}.mass_rate_kg_per_yr",
                        f"{key}.start_yr",
                    ),
                ),
            )
        )
    return facts


def _arrival_facts(result: PlumeResult) -> list[Fact]:
    scenario = result.scenario
    source = (
        "modelled: the first time the highest concentration in the receptor reaches the "
        f"threshold, recorded every {scenario.arrival_resolution_yr:g} yr; the receptor and "
        "threshold are described below"
    )
    return [
        (
            f"Modelled arrival at {scenario.receptor(str(arrival['receptor'])).display_name}, "
            f"≥ {float(arrival['threshold_mg_per_l']):g} mg/L",
            Entry(_arrival(scenario, arrival), source, modelled=True),
        )
        for _, arrival in result.arrivals.iterrows()
    ]


def _receptor_facts(result: PlumeResult) -> list[Fact]:
    thresholds: dict[str, list[float]] = {}
    for _, arrival in result.arrivals.iterrows():
        thresholds.setdefault(str(arrival["receptor"]), []).append(
            float(arrival["threshold_mg_per_l"])
        )
    return [
        (
            f"Receptor {result.scenario.receptor(receptor).display_name}",
            Entry(
                "thresholds " + " and ".join(f"{t:g}" for t in values) + " mg/L",
                _provenance(result.scenario.provenance, f"receptor.{receptor}"),
            ),
        )
        for receptor, values in thresholds.items()
    ]


def plume_facts(result: PlumeResult) -> tuple[Fact, ...]:
    """The labelled facts of a plume result, in the order a page shows them.

    Returns
    -------
    tuple of (str, Entry)
        What it stands for, the modelled arrivals, the flow and aquifer parameters, the
        sources and the receptors. A flow-only result has no arrivals, sources or flow at a
        source.
    """
    scenario = result.scenario
    context = scenario.provenance.get("description", "the scenario file")
    claim = Entry(scenario.description or "(no description)", context)
    flow = [] if result.source_flow is None else _flow_facts(scenario, result.source_flow)
    return (
        ("What it stands for", claim),
        *_arrival_facts(result),
        *flow,
        *_source_facts(scenario),
        *_receptor_facts(result),
    )
