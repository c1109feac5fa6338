"""The plain-words assumptions name the oblique-flow dispersion regularisation when it can apply."""

import pytest

from atlas.assumptions import assumptions
from atlas.scenario import load_scenario
from plume_cases import strip_scenario


def scenario_with(alpha_t_m, direction_deg):
    document = strip_scenario(flow={"velocity_m_per_yr": 20.0, "direction_deg": direction_deg})
    document["aquifer"] = {**document["aquifer"], "transverse_dispersivity_m": alpha_t_m}
    return load_scenario(document)


def regularisation_lines(scenario):
    return [line for line in assumptions(scenario) if "oblique" in line]


@pytest.mark.parametrize("direction_deg", [30.0, 45.0, 100.0])
def test_oblique_flow_with_alpha_t_below_a_hundredth_of_alpha_l_is_stated(direction_deg):
    # alpha_L = 10 m in the strip scenario
    (line,) = regularisation_lines(scenario_with(0.01, direction_deg))
    assert "0.1 m (alpha_L / 100)" in line
    assert "0.01 m" in line


@pytest.mark.parametrize(("alpha_t_m", "direction_deg"), [(0.1, 30.0), (1.0, 45.0), (0.01, 90.0)])
def test_no_regularisation_line_where_none_applies(alpha_t_m, direction_deg):
    assert regularisation_lines(scenario_with(alpha_t_m, direction_deg)) == []
