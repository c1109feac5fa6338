"""A claim's verdict is judged on the realizations inside its range, per observation, with a
Clopper-Pearson bound: constructed realization tables that clearly rule a claim out, that are
too few to judge, and that do not rule it out."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from atlas.ensemble.constraint import (
    FEW_KEPT,
    RULE_OUT_RATE,
    Constraint,
    ParameterShift,
    claim_verdict,
    upper_rate,
)
from atlas.scenario.uncertainty import Claim
from ensemble_cases import strip_ensemble

LINE = "LINESTRING (500505 4500000, 500505 4500030)"
WELLS = {"name": "wells", "geometry": LINE, "time_yr": 15.0, "min_concentration_mg_per_l": 10.0}
BANK = WELLS | {"name": "bank", "time_yr": 20.0, "min_concentration_mg_per_l": 25.0}
PRIORS = {"realizations": 10, "velocity_m_per_yr": {"uniform": [10, 400]}}
CLAIM = Claim("slow", "velocity_m_per_yr", 20.0, 30.0)


@pytest.fixture(scope="module")
def scenario():
    document = strip_ensemble(PRIORS, observation=[WELLS, BANK])
    provenance = dict(document.provenance) | {"observation.bank": "read as 25 mg/L [assumption]"}
    return type(document)(**{**document.__dict__, "provenance": provenance})


def table(rows: list[tuple[float, int, bool, bool]]) -> tuple[np.ndarray, np.ndarray]:
    """(velocity, how many, meets wells, meets bank) rows -> the velocity column and met."""
    velocity = np.concatenate([np.full(n, v) for v, n, _, _ in rows])
    met = np.concatenate([np.tile([w, b], (n, 1)) for _, n, w, b in rows])
    return velocity, met.astype(bool)


def observed(met: np.ndarray) -> np.ndarray:
    """Modelled values: 1e-5 mg/L where an observation is not met, 1000 where it is."""
    return np.where(met, 1000.0, 1e-5)


BANK_RULES_OUT = [
    (25, 35, True, False),
    (25, 75, False, False),
    (200, 149, True, True),
    (200, 741, False, False),
]
"""110 in range: 35 meet the wells, none the bank; outside, 149 meet the bank."""


def test_the_upper_bound_is_clopper_pearson():
    assert upper_rate(0, 110) == pytest.approx(1 - 0.05 ** (1 / 110))
    assert upper_rate(3, 40) == pytest.approx(stats.beta.ppf(0.95, 4, 37))
    assert upper_rate(5, 5) == 1.0


def test_an_observation_no_realization_in_range_meets_rules_the_claim_out(scenario):
    velocity, met = table(BANK_RULES_OUT)
    verdict = claim_verdict(scenario, CLAIM, velocity, met, observed(met))
    assert (verdict.verdict, verdict.prior_count, verdict.kept_count) == ("ruled out", 110, 0)
    assert verdict.deciding is not None
    assert verdict.deciding.name == "bank"
    wells, bank, together = verdict.counts
    assert (together.in_range, together.total) == (0, 149)
    assert together.rules_out  # as much as the bank: the single observation is named
    assert (wells.in_range, wells.total, bank.in_range, bank.total) == (35, 184, 0, 149)
    assert not wells.rules_out
    assert bank.upper_rate == pytest.approx(upper_rate(0, 110))
    assert bank.upper_rate < RULE_OUT_RATE
    assert verdict.sentence.startswith(
        "The observations rule the claim out: none of the 110 realizations with a seepage "
        "velocity of 20-30 m/yr meet bank, against 149 of 1000 overall (at most 2.7% of such "
        "realizations could, at 95 % confidence). Their highest modelled value there is "
        "1e-05 mg/L against the observation's >= 25 mg/L at year 20. The verdict rests on "
        "that observation as read here: read as 25 mg/L [assumption]."
    )


def test_no_kept_realization_in_range_among_few_is_too_few_to_judge(scenario):
    # the Baotou case as kept: 11 of 1000 agree with both, none of the 110 in range, and each
    # observation alone is met in range as often as outside
    velocity, met = table(
        [
            (25, 11, True, False),
            (25, 10, False, True),
            (25, 89, False, False),
            (200, 11, True, True),
            (200, 90, True, False),
            (200, 90, False, True),
            (200, 699, False, False),
        ]
    )
    verdict = claim_verdict(scenario, CLAIM, velocity, met, observed(met))
    assert (verdict.verdict, verdict.kept_count, verdict.deciding) == ("too few to judge", 0, None)
    assert verdict.sentence == (
        "Too few realizations to judge the claim: none of the 110 realizations with a seepage "
        "velocity of 20-30 m/yr agrees with both observations, but with 11 of 1000 agreeing "
        "overall about 1.2 would be expected even if the observations said nothing about it "
        "(11 of the 110 realizations with a seepage velocity of 20-30 m/yr meet wells, against "
        "112 of 1000 overall; 10 of the 110 realizations with a seepage velocity of 20-30 m/yr "
        "meet bank, against 111 of 1000 overall); draw more realizations."
    )


def test_kept_realizations_in_range_do_not_rule_the_claim_out(scenario):
    velocity, met = table([(25, 4, True, True), (25, 16, False, True), (200, 80, True, False)])
    verdict = claim_verdict(scenario, CLAIM, velocity, met, observed(met))
    assert (verdict.verdict, verdict.kept_count) == ("not ruled out", 4)
    assert verdict.sentence.startswith(
        "The observations do not rule the claim out: 4 of the 20 realizations with a seepage "
        "velocity of 20-30 m/yr agree with both observations (20%), against 4 of 100 overall"
    )


def test_a_rare_observation_rarely_met_in_range_is_no_evidence(scenario):
    # the bank is met by 1 % overall: none of 40 in range is what chance gives
    velocity, met = table([(25, 40, True, False), (200, 950, True, False), (200, 10, True, True)])
    verdict = claim_verdict(scenario, CLAIM, velocity, met, observed(met))
    assert verdict.verdict == "too few to judge"
    assert not verdict.counts[1].rules_out  # 7.2 % upper bound: above 5 %


def test_the_ks_noise_level_is_corrected_for_the_parameters_tested(scenario):
    one = Constraint((), (), 1000, 11, (_shift_of(),), ())
    five = Constraint((), (), 1000, 11, (_shift_of(),) * 5, ())
    spread = math.sqrt(1 / 11 - 1 / 1000)
    assert one.noise_ks == pytest.approx(1.358 * spread, rel=1e-3)  # the 5 % critical value
    assert five.noise_ks == pytest.approx(1.628 * spread, rel=1e-3)  # at 1 % (5 % / 5)
    assert five.noise_ks > 0.428  # the KS distance once reported for K as "constrained"
    assert Constraint((), (), 1000, 60, (), ()).warning is None


def _shift_of() -> ParameterShift:
    return ParameterShift("k", (1, 2, 3), (1, 2, 3), 1.0, 0.2, (1.0, 3.0), 11)


def test_few_kept_realizations_give_a_range_not_quantiles():
    shift = ParameterShift("v", (12, 63, 333), (92, 136, 188), 0.3, 0.6, (90, 190), 11)
    assert shift.posterior_phrase() == "range 90-190 (n = 11)"
    enough = ParameterShift("v", (12, 63, 333), (92, 136, 188), 0.3, 0.6, (90, 190), FEW_KEPT)
    assert enough.posterior_phrase() == "P5/P50/P95 92/136/188"


def test_the_verdict_names_observations_by_their_labels(scenario):
    observations = tuple(
        type(o)(**{**o.__dict__, "label": "the river bank in 2020"}) if o.name == "bank" else o
        for o in scenario.observations
    )
    labelled = type(scenario)(**{**scenario.__dict__, "observations": observations})
    velocity, met = table(BANK_RULES_OUT)
    verdict = claim_verdict(labelled, CLAIM, velocity, met, observed(met))
    assert verdict.deciding is not None
    assert verdict.deciding.name == "bank"  # the identifier
    assert "velocity of 20-30 m/yr meet the river bank in 2020, against 149" in verdict.sentence
    assert "meet wells, against 184 of 1000 overall" in verdict.sentence  # no label: its name
