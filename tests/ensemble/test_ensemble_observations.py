"""Observations keep the realizations that agree with them (rejection): against the closed
form of the strip, with the constraint report and the claims; none agreeing is an error naming
the observations."""

from __future__ import annotations

import pytest
from scipy.optimize import brentq

from atlas.ensemble import EnsembleError, run_ensemble
from atlas.ensemble.constraint import parameter_phrase
from atlas.plume.analytic import ogata_banks
from atlas.publish.outputs.ensemble import ensemble_summary
from atlas.scenario import load_scenario
from ensemble_cases import strip_ensemble
from plume_cases import strip_scenario

LINE = "LINESTRING (500505 4500000, 500505 4500030)"  # 500 m downstream of the held column
FRONT = {"name": "front", "geometry": LINE, "time_yr": 15.0, "min_concentration_mg_per_l": 10.0}
PRIORS = {"realizations": 40, "seed": 3, "velocity_m_per_yr": {"uniform": [20, 40]}}
CLAIMS = [
    {"name": "slow", "parameter": "velocity_m_per_yr", "range": [20, 25]},
    {"name": "fast", "parameter": "velocity_m_per_yr", "range": [35, 40]},
    {"name": "narrow", "parameter": "velocity_m_per_yr", "range": [20, 20.6]},
]


def strip_concentration_mg_per_l(velocity_m_per_yr: float) -> float:
    """Ogata-Banks at 500 m and 15 yr for the strip (100 mg/L held, dispersivity 10 m)."""
    v = velocity_m_per_yr
    return 100.0 * float(ogata_banks(500.0, 15.0, v, 10.0 * v))


def velocity_reaching_m_per_yr(concentration_mg_per_l: float) -> float:
    return brentq(lambda v: strip_concentration_mg_per_l(v) - concentration_mg_per_l, 5, 80)


@pytest.fixture(scope="module", params=[True, False], ids=["analytic", "numerical"])
def constrained(client, request):
    scenario = strip_ensemble(PRIORS | {"claim": CLAIMS}, observation=[FRONT])
    return run_ensemble(scenario, client=client, analytic=request.param)


def test_kept_realizations_are_those_the_closed_form_lets_through(constrained):
    table = constrained.realizations
    velocity = table["velocity_m_per_yr"]
    # the scheme is within 10 % of Ogata-Banks here: only realizations whose closed-form value
    # lies within 9-11 mg/L may go either way
    low, high = velocity_reaching_m_per_yr(9.0), velocity_reaching_m_per_yr(11.0)
    assert 20 < low < high < 40
    assert table.loc[velocity > high, "kept"].all()
    assert not table.loc[velocity < low, "kept"].any()
    assert table["kept"].equals(table["agrees.front"])
    assert table["kept"].equals(table["observed_mg_per_l.front"] >= 10.0)
    threshold = velocity_reaching_m_per_yr(10.0)  # kept share: a uniform prior above it
    assert constrained.kept / len(table) == pytest.approx((40 - threshold) / 20, abs=0.06)


def test_the_report_ranks_the_constrained_parameter_and_judges_the_claims(constrained):
    constraint = constrained.constraint
    assert (constraint.realizations, constraint.kept) == (40, constrained.kept)
    assert constraint.met_counts == (constrained.kept,)
    (shift,) = constraint.parameters
    assert shift.key == "velocity_m_per_yr"
    assert shift.posterior[0] > shift.prior[0]
    assert shift.width_ratio < 1
    assert shift.ks_distance > constraint.noise_ks
    slow, fast, narrow = constraint.claims
    velocity = constrained.realizations["velocity_m_per_yr"]
    assert slow.prior_count == int(((velocity >= 20) & (velocity <= 25)).sum()) > 0
    assert slow.kept_count == 0
    assert slow.agreeing_in_range == (0,)
    # were 20-25 m/yr as consistent as the rest, all of its realizations missing is unlikely
    assert slow.p_value == pytest.approx((1 - constrained.kept / 40) ** slow.prior_count)
    assert slow.ruled_out
    assert slow.sentence == (
        f"Of 40 realizations, {constrained.kept} agree with the observation; none of those "
        "has a seepage velocity of 20-25 m/yr, and of the "
        f"{slow.prior_count} realizations that have one, none agrees with front "
        f"({constrained.kept} of all 40 do): the observations rule the claim out."
    )
    assert narrow.kept_count == 0
    assert not narrow.ruled_out  # one or two realizations in range: could be chance
    assert "too few realizations to rule the claim out" in narrow.sentence
    assert fast.kept_count > 0
    assert "do not rule the claim out" in fast.sentence
    report = ensemble_summary(constrained, files=[])["constraint"]
    assert report["claims"][0]["sentence"] == slow.sentence
    assert report["claims"][0]["ruled_out"] is True
    assert report["claims"][0]["agreeing_in_range"] == {"front": 0}
    assert report["parameters"][0]["posterior"]["P5"] == pytest.approx(shift.posterior[0])
    assert report["observations"][0]["realizations_agreeing"] == constrained.kept


def test_an_observation_no_realization_meets_is_named(client):
    impossible = FRONT | {"name": "too_high", "min_concentration_mg_per_l": 150.0}
    scenario = strip_ensemble(PRIORS, observation=[impossible])
    with pytest.raises(EnsembleError, match=r"observation 'too_high' \(>= 150 mg/L at year 15\)"):
        run_ensemble(scenario, client=client, realizations=6)


def test_observations_each_met_but_never_together_are_explained(client):
    unseen = {k: v for k, v in FRONT.items() if k != "min_concentration_mg_per_l"}
    unseen |= {"name": "unseen", "detected": False, "threshold_mg_per_l": 10.0}
    scenario = strip_ensemble(PRIORS, observation=[FRONT, unseen])
    with pytest.raises(EnsembleError) as caught:
        run_ensemble(scenario, client=client, realizations=12)
    message = str(caught.value)
    assert "'front'" in message
    assert "'unseen'" in message
    assert "none meets all of them together" in message


def test_parameter_phrases_carry_units():
    assert parameter_phrase("velocity_m_per_yr", 20, 30) == "a seepage velocity of 20-30 m/yr"
    assert (
        parameter_phrase("source.pond.leakage_mm_per_yr", 10, 1000) == "a leakage of 10-1000 mm/yr"
    )
    assert parameter_phrase("effective_porosity", 0.1, 0.3) == "an effective porosity of 0.1-0.3"


def test_only_a_strong_leakage_mound_pushes_solute_upgradient(client):
    document = strip_scenario(  # a 200 m square pond in a 2 km x 1 km aquifer
        grid={"bounds_m": [400_000, 4_500_000, 402_000, 4_501_000], "cell_size_m": 50.0},
        flow={"velocity_m_per_yr": 25.0, "direction_deg": 90.0},
        receptor=[],
    )
    document["aquifer"] |= {"hydraulic_conductivity_m_per_day": 5.0, "thickness_m": 10.0}
    document["source"] = [
        {
            "name": "pond",
            "geometry": "POLYGON ((400200 4500400, 400400 4500400, 400400 4500600, "
            "400200 4500600, 400200 4500400))",
            "concentration_mg_per_l": 100.0,
            "leakage_mm_per_yr": 0.0,
        }
    ]
    document["observation"] = [
        {  # 75 m upstream (west) of the pond's edge, above the few mg/L that dispersion
            # alone brings there on this grid: only a stagnation point beyond it will do
            "name": "upstream",
            "geometry": "POINT (400125 4500525)",
            "time_yr": 10.0,
            "min_concentration_mg_per_l": 10.0,
        }
    ]
    document["uncertainty"] = {
        "realizations": 8,
        "seed": 1,
        "source": {"pond": {"leakage_mm_per_yr": {"uniform": [0, 3000]}}},
    }
    result = run_ensemble(load_scenario(document), client=client)
    assert "ordinary run" in result.assumptions[0]  # a pond: the numerical path
    table = result.realizations
    leakage = table["source.pond.leakage_mm_per_yr"]
    assert 0 < result.kept < len(table)
    assert leakage[table["kept"]].min() > leakage[~table["kept"]].max()  # the strongest mounds
    observed = table["observed_mg_per_l.upstream"]
    assert observed[table["kept"]].min() >= 10.0 > observed[~table["kept"]].max()
    dry = float(observed[leakage.idxmin()])
    assert dry < 10.0  # no mound, no solute that far upstream against 25 m/yr
