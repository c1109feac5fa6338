"""The ``[solver]`` section reaches the run: fourth-order dispersion, asked for in a scenario
file, brings a well's cell to the analytic cell mean and says so among the assumptions."""

from __future__ import annotations

import copy

import pytest

from atlas.plume import analytic
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from cell_means import cell_average
from scenario.scenario_documents import BASE

CELLS, DIFFUSION_M2_PER_YR, HORIZON_YR, POROSITY, RATE_KG_PER_YR = 31, 0.5, 6.0, 0.25, 1.0
X0_M, Y0_M = 400_000.0, 4_500_000.0


def _well_in_still_water(dispersion_order: int) -> dict:
    """A well of 1 kg/yr at the centre of 31 x 31 cells of 1 m, 1 m thick, in still water with
    diffusion only, for 6 years."""
    document = copy.deepcopy(BASE)
    del document["receptor"]
    centre = CELLS / 2
    document["grid"] = {"bounds_m": [X0_M, Y0_M, X0_M + CELLS, Y0_M + CELLS], "cell_size_m": 1.0}
    document["aquifer"] = {
        "effective_porosity": POROSITY,
        "thickness_m": 1.0,
        "longitudinal_dispersivity_m": 0.0,
        "transverse_dispersivity_m": 0.0,
        "molecular_diffusion_m2_per_yr": DIFFUSION_M2_PER_YR,
    }
    document["flow"] = {"velocity_m_per_yr": 0.0, "direction_deg": 0.0}
    document["source"] = [
        {
            "name": "well",
            "geometry": f"POINT ({X0_M + centre} {Y0_M + centre})",
            "mass_rate_kg_per_yr": RATE_KG_PER_YR,
        }
    ]
    document["output"] = {"times_yr": [HORIZON_YR], "arrival_resolution_yr": 0.25}
    document["solver"] = {"dispersion_order": dispersion_order}
    return document


def _exact_well_cell_mean() -> float:
    """The continuous point source in still water (Q / (4 pi n b D) E1(r^2 / 4 D t), mg/L)
    averaged over the well's cell."""

    def plume(x_m, y_m):
        return analytic.continuous_point_2d(
            x_m,
            y_m,
            HORIZON_YR,
            RATE_KG_PER_YR,
            velocity_m_per_yr=0.0,
            longitudinal_dispersion_m2_per_yr=DIFFUSION_M2_PER_YR,
            transverse_dispersion_m2_per_yr=DIFFUSION_M2_PER_YR,
            effective_porosity=POROSITY,
            thickness_m=1.0,
        )

    return float(cell_average(plume, 0.0, 0.0, 1.0, points=64))


@pytest.fixture(scope="module")
def runs():
    return {order: run_scenario(load_scenario(_well_in_still_water(order))) for order in (2, 4)}


def test_fourth_order_from_the_file_brings_the_well_cell_to_the_exact_cell_mean(runs):
    """Second order leaves the well's cell 13 % above the exact cell mean (a plume a few
    cells wide is peakier under three-point exchanges), fourth order 1.4 %."""
    exact = _exact_well_cell_mean()
    centre = CELLS // 2  # the dataset is north-up; the well's cell is the middle one either way
    error = {
        order: float(result.dataset["concentration"].isel(time_yr=-1, y=centre, x=centre)) / exact
        - 1.0
        for order, result in runs.items()
    }
    assert error[2] > 0.1
    assert abs(error[4]) < 0.02


def test_both_orders_keep_the_mass_the_well_injected(runs):
    for result in runs.values():
        dataset = result.dataset
        injected = RATE_KG_PER_YR * HORIZON_YR
        assert float(dataset["mass_in_kg"][-1]) == pytest.approx(injected, rel=1e-12)
        assert float(dataset["mass_stored_kg"][-1]) == pytest.approx(injected, rel=1e-9)


def test_the_assumptions_say_which_dispersion_ran(runs):
    said = {order: " ".join(result.assumptions) for order, result in runs.items()}
    assert "fourth-order dispersion" in said[4]
    assert "fourth-order" not in said[2]
    assert "fourth-order dispersion" in runs[4].dataset.attrs["assumptions"]
