"""The result of a scenario in one plain sentence, made from its numbers.

"At 24.4-26 m/yr (modelled seepage speed at the source), 25 mg/L reaches the yellow river
around 2299; with the ensemble (100 of 100 realizations): between 2270 and 2340 (P5-P95)."
The speed is the range over the source cells (:attr:`atlas.result.PlumeResult.source_flow`),
the year the first arrival of the first receptor's lowest threshold
(:attr:`atlas.result.PlumeResult.arrivals`), and the range the ensemble's P5 and P95 arrival
quantiles (``arrival_quantile_yr``). Every number in it is modelled; the page says so beside
it. Nothing is computed here but the wording.
"""

from __future__ import annotations

import math

import numpy as np

from atlas.ensemble.constraint import FEW_KEPT
from atlas.ensemble.result import ARRIVAL_QUANTILES, EnsembleResult, arrival_column
from atlas.publish.site.plume_facts import plain_number
from atlas.result import PlumeResult
from atlas.scenario import Scenario

__all__ = ["ensemble_clause", "result_sentence", "when"]


def when(scenario: Scenario, years_after: float) -> str:
    """The calendar year ``years_after`` years after t = 0 falls in ("2299"), or "year 12"
    (after t = 0) without a start year."""
    if scenario.start_year is None:
        return f"year {years_after:.0f}"
    return f"{math.floor(scenario.start_year + years_after)}"


def _speed(result: PlumeResult) -> str:
    flow = result.source_flow
    if flow is None:
        return ""
    _, low, high = flow.speed_m_per_yr
    speeds = (
        plain_number(low)
        if plain_number(low) == plain_number(high)
        else f"{plain_number(low)}-{plain_number(high)}"
    )
    return f"At {speeds} m/yr (modelled seepage speed at the source), "


def _few_kept_clause(
    ensemble: EnsembleResult, receptor: str, threshold_mg_per_l: float, head: str
) -> str:
    """The clause when too few realizations are kept for P5-P95: the range of their arrivals
    and how many do not arrive."""
    scenario = ensemble.scenario
    table = ensemble.realizations
    arrivals = table.loc[table["kept"], arrival_column(receptor, threshold_mg_per_l)]
    arrived = arrivals.dropna()
    horizon = when(scenario, scenario.horizon_yr)
    if arrived.empty:
        return head + f"none of them arrives by {horizon}"
    span = f"between {when(scenario, arrived.min())} and {when(scenario, arrived.max())}"
    late = len(arrivals) - len(arrived)
    tail = f", {late} of them not by {horizon}" if late else ""
    return head + f"{span} (the range of the {len(arrivals)} kept: too few for P5-P95){tail}"


def ensemble_clause(ensemble: EnsembleResult, receptor: str, threshold_mg_per_l: float) -> str:
    """ "with the ensemble (K of N realizations): between YEAR and YEAR (P5-P95)", or how many
    arrive within the horizon when P5 or P95 does not; with fewer than
    :data:`~atlas.ensemble.constraint.FEW_KEPT` kept realizations the range of their arrivals
    instead of P5-P95."""
    scenario = ensemble.scenario
    if ensemble.kept < FEW_KEPT:
        head = f"with the ensemble ({ensemble.kept} of {ensemble.count} realizations kept): "
        return _few_kept_clause(ensemble, receptor, threshold_mg_per_l, head)
    where = {"receptor": receptor, "threshold_mg_per_l": threshold_mg_per_l}
    quantiles = ensemble.dataset["arrival_quantile_yr"].sel(where).values
    early = float(quantiles[ARRIVAL_QUANTILES.index(0.05)])
    late = float(quantiles[ARRIVAL_QUANTILES.index(0.95)])
    never = float(ensemble.dataset["never_arrived_probability"].sel(where))
    head = f"with the ensemble ({ensemble.kept} of {ensemble.count} realizations kept): "
    horizon = when(scenario, scenario.horizon_yr)
    if np.isnan(early):
        return head + f"fewer than 5 % arrive by {horizon}"
    if np.isnan(late):
        return (
            head + f"from {when(scenario, early)} (P5), but {never:.0%} do not arrive by {horizon}"
        )
    return head + f"between {when(scenario, early)} and {when(scenario, late)} (P5-P95)"


def result_sentence(result: PlumeResult, ensemble: EnsembleResult | None = None) -> str:
    """The result in one sentence: speed, when the first receptor's lowest threshold
    arrives, and the ensemble's P5-P95 range of that arrival when an ensemble is given.

    Parameters
    ----------
    result : PlumeResult
        The deterministic run.
    ensemble : EnsembleResult, optional
        An ensemble of the same scenario (its receptors and thresholds).

    Returns
    -------
    str
        Plain text ending with a full stop; "No receptor is modelled." without receptors.
    """
    scenario = result.scenario
    if result.arrivals.empty:
        return _capital(f"{_speed(result)}no receptor is modelled.")
    first = result.arrivals.iloc[0]
    receptor = str(first["receptor"])
    rows = result.arrivals[result.arrivals["receptor"] == receptor]
    lowest = rows.sort_values("threshold_mg_per_l", kind="stable").iloc[0]
    threshold = float(lowest["threshold_mg_per_l"])
    arrival_yr = float(lowest["arrival_yr"])
    what = f"{threshold:g} mg/L"
    place = scenario.receptor(receptor).in_sentence
    if math.isnan(arrival_yr):
        outcome = f"{what} does not reach {place} by {when(scenario, scenario.horizon_yr)}"
    else:
        outcome = f"{what} reaches {place} around {when(scenario, arrival_yr)}"
    sentence = _speed(result) + outcome
    if ensemble is not None:
        sentence += "; " + ensemble_clause(ensemble, receptor, threshold)
    return _capital(sentence + ".")


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]
