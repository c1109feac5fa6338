"""The scenario page's sentence with an ensemble: the P5-P95 range of the arrival."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from atlas.ensemble.result import arrival_column
from atlas.publish.site.plume_sentence import ensemble_clause, result_sentence
from atlas.run import run_scenario


def test_the_ensemble_clause_gives_the_p5_and_p95_arrival_years(velocity_ensemble):
    scenario, ensemble = velocity_ensemble
    scenario = replace(scenario, start_year=1965)
    ensemble = replace(ensemble, scenario=scenario)
    receptor = scenario.receptors[0]
    threshold = min(receptor.thresholds_mg_per_l)
    quantiles = ensemble.dataset["arrival_quantile_yr"].sel(
        receptor=receptor.name, threshold_mg_per_l=threshold
    )
    early, late = (
        float(quantiles.sel(arrival_quantile=0.05)),
        float(quantiles.sel(arrival_quantile=0.95)),
    )
    assert not np.isnan(early)
    assert not np.isnan(late)
    clause = ensemble_clause(ensemble, receptor.name, threshold)
    assert clause == (
        f"with the ensemble ({ensemble.kept} of {ensemble.count} realizations kept): between "
        f"{math.floor(1965 + early)} and {math.floor(1965 + late)} (P5-P95)"
    )
    result = run_scenario(scenario)
    sentence = result_sentence(result, ensemble)
    assert sentence.endswith("; " + clause + ".")


def test_when_few_realizations_arrive_the_clause_says_so(velocity_ensemble):
    scenario, ensemble = velocity_ensemble
    receptor = scenario.receptors[0]
    high = max(receptor.thresholds_mg_per_l)
    dataset = ensemble.dataset.copy()
    dataset["arrival_quantile_yr"] = dataset["arrival_quantile_yr"] * np.nan
    clause = ensemble_clause(replace(ensemble, dataset=dataset), receptor.name, high)
    horizon = math.floor(scenario.start_year + scenario.horizon_yr)
    assert clause.endswith(f"fewer than 5 % arrive by {horizon}")


def test_with_few_kept_the_clause_gives_their_range_not_quantiles(velocity_ensemble):
    scenario, ensemble = velocity_ensemble
    receptor = scenario.receptors[0]
    threshold = min(receptor.thresholds_mg_per_l)
    table = ensemble.realizations.copy()
    table["kept"] = table["realization"] % 11 == 0  # 10 of 100 kept
    few = replace(ensemble, realizations=table, kept=int(table["kept"].sum()))
    arrivals = table.loc[table["kept"], arrival_column(receptor.name, threshold)]
    assert arrivals.notna().all()
    start = scenario.start_year
    clause = ensemble_clause(few, receptor.name, threshold)
    assert clause == (
        f"with the ensemble (10 of 100 realizations kept): between "
        f"{math.floor(start + arrivals.min())} and {math.floor(start + arrivals.max())} "
        "(the range of the 10 kept: too few for P5-P95)"
    )
