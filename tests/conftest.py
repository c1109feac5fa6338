"""Fixtures shared by the run, output and site tests: small scenarios built in code, run
once, and the site of the tiny data root, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.pipeline import build_site
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from plume_cases import strip_scenario
from tiny_roots import write_root


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory) -> Path:
    """The tiny data root (:func:`tiny_roots.write_root`: the shipped layers and three tiny
    scenarios, two on one grid)."""
    return write_root(tmp_path_factory.mktemp("data") / "root")


@pytest.fixture(scope="session")
def built_site(tiny_root, tmp_path_factory) -> Path:
    """The whole site of :func:`tiny_root`, built once (its cache in the root's ``.cache``) for
    the read-only tests."""
    return build_site(tiny_root, tmp_path_factory.mktemp("out") / "site").parent


@pytest.fixture(scope="session")
def strip():
    """The strip scenario and its result (run once)."""
    scenario = load_scenario(strip_scenario())
    return scenario, run_scenario(scenario)


@pytest.fixture(scope="session")
def plume_case():
    """A 2-D plume: a pond in a 600 m x 400 m grid of 20 m cells, flow to the north-east."""
    document = strip_scenario(
        name="plume",
        grid={"bounds_m": [500_000, 4_500_000, 500_600, 4_500_400], "cell_size_m": 20.0},
        flow={"velocity_m_per_yr": 30.0, "direction_deg": 60.0},
        source=[
            {
                "name": "pond",
                "geometry": "POLYGON ((500100 4500100, 500160 4500100, 500160 4500160, "
                "500100 4500160, 500100 4500100))",
                "concentration_mg_per_l": 100.0,
            }
        ],
        receptor=[
            {
                "name": "ditch",
                "geometry": "LINESTRING (500400 4500000, 500400 4500400)",
                "thresholds_mg_per_l": [1.0, 20.0],
            }
        ],
        output={"times_yr": [2, 6, 10]},
    )
    scenario = load_scenario(document)
    return scenario, run_scenario(scenario)
