"""The scenario page's sentence says the result's own numbers."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
from shapely.geometry import Point

from atlas.publish.site.plume_facts import plain_number
from atlas.publish.site.plume_sentence import result_sentence
from atlas.scenario import Receptor


def _with_start(result, start_year):
    return replace(result, scenario=replace(result.scenario, start_year=start_year))


def test_the_sentence_gives_the_source_speed_and_the_first_arrival_year(plume_case):
    _, result = plume_case
    result = _with_start(result, 1965)
    sentence = result_sentence(result)
    _, low, high = result.source_flow.speed_m_per_yr
    lowest = result.arrivals[result.arrivals["receptor"] == "ditch"]
    lowest = lowest.loc[lowest["threshold_mg_per_l"].idxmin()]
    assert not math.isnan(lowest["arrival_yr"]), "the case should reach its ditch"
    year = math.floor(1965 + lowest["arrival_yr"])
    speed = plain_number(low) if plain_number(low) == plain_number(high) else None
    match = re.fullmatch(
        r"At (?P<speed>[\d.,-]+) m/yr \(modelled seepage speed at the source\), "
        r"(?P<threshold>[\d.]+) mg/L reaches the ditch around (?P<year>\d+)\.",
        sentence,
    )
    assert match, sentence
    assert float(match["threshold"]) == lowest["threshold_mg_per_l"] == 1.0
    assert int(match["year"]) == year
    if speed is not None:
        assert match["speed"] == speed
    assert float(match["speed"].split("-")[0]) == float(plain_number(low))


def test_without_a_start_year_the_sentence_counts_years(plume_case):
    _, result = plume_case
    result = _with_start(result, None)
    arrival = float(result.arrivals["arrival_yr"].iloc[0])
    assert result_sentence(result).endswith(f"reaches the ditch around year {arrival:.0f}.")


def test_an_arrival_beyond_the_horizon_is_said_so(plume_case):
    _, result = plume_case
    arrivals = result.arrivals.assign(arrival_yr=np.nan, arrival_calendar_year=np.nan)
    result = replace(_with_start(result, 2000), arrivals=arrivals)
    horizon = 2000 + math.floor(result.scenario.horizon_yr)
    assert result_sentence(result).endswith(f"1 mg/L does not reach the ditch by {horizon}.")


def test_without_receptors_there_is_no_arrival_to_tell(plume_case):
    _, result = plume_case
    empty = replace(result, arrivals=pd.DataFrame(columns=result.arrivals.columns))
    assert result_sentence(empty).endswith("no receptor is modelled.")


def test_a_receptor_is_named_by_its_label_else_by_its_name_as_words(plume_case):
    _, result = plume_case
    receptors = tuple(
        replace(r, label="Ditch No. 2") if r.name == "ditch" else r
        for r in result.scenario.receptors
    )
    labelled = replace(result, scenario=replace(result.scenario, receptors=receptors))
    assert " reaches the Ditch No. 2 around " in result_sentence(labelled)
    assert Receptor("yellow_river", Point(0, 0), (1.0,)).in_sentence == "the yellow river"
    labelled = Receptor("r", Point(0, 0), (1.0,), label="The Hague canal")
    assert labelled.in_sentence == "the Hague canal"
