"""The probability of arrival by a year, over the kept realizations, and its chart."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from atlas.ensemble.result import arrival_column
from atlas.publish.charts import arrival_probability, arrival_probability_chart, svg_text


def test_the_probability_is_the_share_of_kept_realizations_arrived_by_then(velocity_ensemble):
    scenario, result = velocity_ensemble
    receptor = scenario.receptors[0]
    low, high = receptor.thresholds_mg_per_l
    table = pd.DataFrame(
        {
            "realization": [0, 1, 2, 3, 4],
            arrival_column(receptor.name, low): [1.0, 2.0, np.nan, 4.0, 0.5],
            arrival_column(receptor.name, high): [np.nan] * 5,
            "kept": [True, True, True, True, False],
        }
    )
    probability = arrival_probability(replace(result, realizations=table), [0.0, 1.0, 3.0, 9.0])
    low_column = f"{receptor.display_name} ≥ {low:g} mg/L"
    assert probability[low_column].tolist() == [0.0, 0.25, 0.5, 0.75]  # 4 kept, one never
    assert probability[f"{receptor.display_name} ≥ {high:g} mg/L"].tolist() == [0.0] * 4


def test_the_chart_is_labelled_modelled_and_its_svg_is_the_same_every_time(velocity_ensemble):
    _, result = velocity_ensemble
    first = svg_text(arrival_probability_chart(result))
    assert first == svg_text(arrival_probability_chart(result))
    assert "MODELLED" in first
    assert "Date" not in first
    assert "Matplotlib v" not in first
