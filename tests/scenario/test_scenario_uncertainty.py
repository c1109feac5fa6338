"""The [uncertainty] section: priors read, applied to the right fields, and every bad entry
reported with its key, all at once."""

from __future__ import annotations

import copy

import pytest
from scenario_documents import BASE
from test_scenario_fuzz import UNCERTAIN

from atlas.ensemble.sampling import realize
from atlas.errors import ScenarioError
from atlas.scenario import load_scenario


def with_uncertainty(**entries):
    document = copy.deepcopy(BASE)
    document["uncertainty"] = {"realizations": 10, **entries}
    return document


def problems(document) -> dict[str, str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(document)
    return {p.where: f"{p.message}; {p.fix}" for p in caught.value.problems}


def test_every_kind_of_prior_is_read_in_the_files_order():
    uncertainty = load_scenario(UNCERTAIN).uncertainty
    assert uncertainty.realizations == 20
    assert uncertainty.seed == 7
    assert [(p.key, p.distribution) for p in uncertainty.priors] == [
        ("velocity_m_per_yr", "uniform"),
        ("longitudinal_dispersivity_m", "loguniform"),
        ("effective_porosity", "triangular"),
        ("thickness_m", "normal"),
        ("half_life_yr", "lognormal"),
        ("retardation", "fixed"),
        ("source.pond.concentration_mg_per_l", "uniform"),
    ]
    assert uncertainty.priors[3].bounds == (5.0, 15.0)
    assert uncertainty.correlations == (("velocity_m_per_yr", "longitudinal_dispersivity_m", 0.5),)


def test_a_scenario_without_the_section_has_none():
    assert load_scenario(BASE).uncertainty is None


@pytest.mark.parametrize(
    ("entries", "where", "says"),
    [
        (
            {"velocity_m_per_yr": {"gaussian": [1, 2]}},
            "uncertainty.velocity_m_per_yr.gaussian",
            "unknown distribution",
        ),
        (
            {"velocity_m_per_yr": {"uniform": [30, 20]}},
            "uncertainty.velocity_m_per_yr.uniform",
            "lower > upper",
        ),
        (
            {"effective_porosity": {"uniform": [-0.1, 0.3]}},
            "uncertainty.effective_porosity",
            "outside (0, 1]",
        ),
        (
            {"effective_porosity": {"uniform": [0.2, 1.3]}},
            "uncertainty.effective_porosity",
            "outside (0, 1]",
        ),
        ({"realizations": 0}, "uncertainty.realizations", "expected an integer in [1,"),
        ({"realizations": -5}, "uncertainty.realizations", "expected an integer in [1,"),
        (
            {"recharge_mm_per_yr": {"uniform": [0, 5]}},
            "uncertainty.recharge_mm_per_yr",
            "does not apply",
        ),
        (
            {"fixed_head": {"river": {"head_m": 3.0}}},
            "uncertainty.fixed_head.river.head_m",
            "does not apply",
        ),
        (
            {"source": {"pond": {"mass_rate_kg_per_yr": 3.0}}},
            "uncertainty.source.pond.mass_rate_kg_per_yr",
            "does not apply",
        ),
        ({"thickness_m": {"normal": [10, 2]}}, "uncertainty.thickness_m.bounds", "missing"),
        (
            {"velocity_m_per_yr": {"uniform": [20, 30], "loguniform": [20, 30]}},
            "uncertainty.velocity_m_per_yr",
            "exactly one distribution",
        ),
        ({"velocity": {"uniform": [20, 30]}}, "uncertainty.velocity", "unknown key"),
        ({"seed": 1.5}, "uncertainty.seed", "expected an integer"),
    ],
)
def test_each_bad_entry_is_reported_at_its_key(entries, where, says):
    found = problems(with_uncertainty(**entries))
    assert says in found[where]


def test_every_problem_is_reported_at_once():
    found = problems(
        with_uncertainty(
            realizations=0,
            velocity_m_per_yr={"unifrom": [20, 30]},
            effective_porosity={"uniform": [0, 0.3]},
        )
    )
    assert set(found) == {
        "uncertainty.realizations",
        "uncertainty.velocity_m_per_yr.unifrom",
        "uncertainty.effective_porosity",
    }
    assert "did you mean 'uniform'" in found["uncertainty.velocity_m_per_yr.unifrom"]


def test_velocity_does_not_apply_to_head_driven_flow():
    document = with_uncertainty(velocity_m_per_yr={"uniform": [20, 30]})
    document["flow"] = {
        "fixed_head": [
            {
                "name": "river",
                "geometry": "LINESTRING (401900 4500000, 401900 4501000)",
                "head_m": 10.0,
            }
        ],
    }
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 5.0
    found = problems(document)
    assert "head-driven" in found["uncertainty.velocity_m_per_yr"]


def test_a_prior_can_be_documented_in_provenance():
    document = with_uncertainty(velocity_m_per_yr={"uniform": [20, 30]})
    document["provenance"]["uncertainty.velocity_m_per_yr"] = "HYDROGEOLOGY.md 1.5"
    assert load_scenario(document).provenance["uncertainty.velocity_m_per_yr"]


def test_a_leaking_source_can_sample_its_leakage_and_the_conductivity_of_its_mound():
    document = with_uncertainty(
        source={"pond": {"leakage_mm_per_yr": {"loguniform": [10, 1000]}}},
        hydraulic_conductivity_m_per_day={"loguniform": [1, 50]},
    )
    document["source"][0]["leakage_mm_per_yr"] = 100.0
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 5.0
    scenario = load_scenario(document)
    keys = [p.key for p in scenario.uncertainty.priors]
    assert keys == ["hydraulic_conductivity_m_per_day", "source.pond.leakage_mm_per_yr"]
    realized = realize(scenario, scenario.uncertainty.priors, [20.0, 700.0])
    assert realized.sources[0].leakage_mm_per_yr == 700.0
    assert realized.aquifer.hydraulic_conductivity_m_per_day == 20.0


def test_leakage_prior_needs_a_leaking_source_and_conductivity_needs_a_mound():
    document = with_uncertainty(
        source={"pond": {"leakage_mm_per_yr": {"uniform": [0, 100]}}},
        hydraulic_conductivity_m_per_day={"uniform": [1, 2]},
    )
    document["aquifer"]["hydraulic_conductivity_m_per_day"] = 5.0
    found = problems(document)
    assert (
        "has no leakage_mm_per_yr: give it one"
        in found["uncertainty.source.pond.leakage_mm_per_yr"]
    )
    assert "without a leaking source" in found["uncertainty.hydraulic_conductivity_m_per_day"]


def test_a_claim_names_a_sampled_parameter_and_needs_observations():
    claim = {"name": "slow", "parameter": "velocity_m_per_yr", "range": [20, 30]}
    found = problems(with_uncertainty(velocity_m_per_yr={"uniform": [10, 40]}, claim=[claim]))
    assert "has none" in found["uncertainty.claim"]
    wrong = claim | {"parameter": "velocity", "range": [30, 20]}
    found = problems(with_uncertainty(velocity_m_per_yr={"uniform": [10, 40]}, claim=[wrong]))
    assert "did you mean 'velocity_m_per_yr'" in found["uncertainty.claim[0].parameter"]
    assert "lower <= upper" in found["uncertainty.claim[0].range"]
