"""The whole build on one screen: load -> join -> project plumes -> publish.

This is the only module that calls every stage; each stage stays a pure function of its
inputs, and the command line only calls what is here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from atlas.errors import Problem, ScenarioError
from atlas.joins import RIVER_SEARCH_RADIUS_M, join_sites
from atlas.load import Layers, load_layers
from atlas.publish.outputs import is_current, summary, write_outputs
from atlas.publish.site.map import check_site_folder, write_site
from atlas.publish.site.plume_tables import Projection, read_projection
from atlas.run import project
from atlas.scenario import Scenario, load_scenario

__all__ = [
    "PLUME_CACHE",
    "SITE_TABLE_COLUMNS",
    "SITE_TABLE_NOTE",
    "arrival_table",
    "build_site",
    "joined_sites",
    "load_scenarios",
    "run_scenario",
    "site_table",
]

PLUME_CACHE = Path(".cache") / "plumes"
"""Where :func:`build_site` keeps projections between builds, relative to the data root:
``<root>/.cache/plumes/<scenario name>/``."""

BuildProgress = Callable[[str, float], None]
"""Called with a scenario name and the fraction of its projection done, in [0, 1]."""

_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

SITE_TABLE_COLUMNS = [
    "name",
    "kind",
    "commodity",
    "country",
    "lon",
    "lat",
    "nearest_river_name",
    "nearest_river_distance_m",
    "country_name",
    "nearest_town_name",
    "nearest_town_distance_m",
    "distance_crs",
    "source",
]
"""Columns of ``atlas sites``, in order; ``country`` is the curated value, ``country_name``
the Natural Earth polygon the point falls in."""

SITE_TABLE_NOTE = (
    "Distances in metres, measured in each site's UTM zone (distance_crs) to Natural Earth "
    "1:10m rivers and populated places; rivers farther than "
    f"{RIVER_SEARCH_RADIUS_M / 1000:.0f} km are not listed. "
    "Sources of every site: --format csv or json."
)
"""Where the numbers of ``atlas sites`` come from, printed under the table."""


def joined_sites(layers: Layers) -> gpd.GeoDataFrame:
    """The curated sites joined with their nearest river, country and nearest town."""
    return join_sites(
        layers.sites, rivers=layers.rivers_10m, countries=layers.countries, towns=layers.towns
    )


def site_table(root: Path) -> pd.DataFrame:
    """The table printed by ``atlas sites``: curated sites with the joined fields.

    Distances are rounded to whole metres (nullable integers); coordinates are kept as stored.
    """
    table = pd.DataFrame(joined_sites(load_layers(root))[SITE_TABLE_COLUMNS])
    for column in ("nearest_river_distance_m", "nearest_town_distance_m"):
        table[column] = table[column].round().astype("Int64")
    return table


def load_scenarios(root: Path) -> list[Scenario]:
    """Every ``<root>/scenarios/*.toml``, sorted by file name; none without ``scenarios/``.

    Raises
    ------
    ScenarioError
        When a scenario is invalid, or two share a name, or a name cannot be a folder name
        (it names ``plumes/<name>/`` in the site).
    """
    paths = sorted((root / "scenarios").glob("*.toml"))
    scenarios = [load_scenario(path, root=root) for path in paths]
    names = [scenario.name for scenario in scenarios]
    problems = [
        Problem(
            f"{path.name}: name",
            f"the name {name!r} is also used by another scenario",
            "give each scenario its own name",
        )
        for path, name in zip(paths, names, strict=True)
        if names.count(name) > 1
    ] + [
        Problem(
            f"{path.name}: name",
            f"expected letters, digits, '_', '-' or '.' (it names a folder), found {name!r}",
            "rename the scenario",
        )
        for path, name in zip(paths, names, strict=True)
        if not _FOLDER_NAME.fullmatch(name)
    ]
    if problems:
        raise ScenarioError(
            "scenario names must be unique folder names", path=root / "scenarios", problems=problems
        )
    return scenarios


def _projection(scenario: Scenario, folder: Path, progress: BuildProgress | None) -> Projection:
    """The projection of ``scenario`` in ``folder``: reused when its inputs are unchanged."""
    if is_current(folder, scenario):
        if progress is not None:
            progress(scenario.name, 1.0)
    else:
        report = None if progress is None else partial(progress, scenario.name)
        write_outputs(project(scenario, progress=report), folder, scenario=scenario)
    return read_projection(folder, scenario)


def build_site(
    root: Path,
    out: Path,
    *,
    tiles: bool = False,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Build the static site from the data root into ``out``; returns the index page.

    Every scenario of ``<root>/scenarios/`` is projected, or its earlier projection reused when
    the inputs' hash (:func:`atlas.publish.outputs.inputs_sha256`) is unchanged; the page
    shows their outlines and tables, and ``out/plumes/<name>/`` holds their files.

    Parameters
    ----------
    root : pathlib.Path
        Data root holding ``layers/`` (see :func:`atlas.load.find_root`) and, optionally,
        ``scenarios/*.toml``.
    out : pathlib.Path
        Output folder; written in a temporary folder and moved into place.
    tiles : bool
        Add optional OpenStreetMap tiles (network); the offline basemap is always there.
    progress : callable, optional
        Called with a scenario's name and the fraction of its projection done, in [0, 1];
        a reused projection reports 1.0 at once.
    cache_dir : pathlib.Path, optional
        Where projections are kept between builds, one folder per scenario name (default:
        ``<root>/.cache/plumes``, see :data:`PLUME_CACHE`).
    """
    check_site_folder(out)
    layers = load_layers(root)
    cache_dir = root / PLUME_CACHE if cache_dir is None else cache_dir
    projections = [
        _projection(scenario, cache_dir / scenario.name, progress)
        for scenario in load_scenarios(root)
    ]
    return write_site(
        out,
        {**layers.as_mapping(), "sites": joined_sites(layers)},
        tiles=tiles,
        projections=projections,
    )


def run_scenario(
    scenario_path: Path,
    out: Path | None,
    *,
    root: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Load, project and write one plume scenario; returns its ``summary.json`` content.

    Parameters
    ----------
    scenario_path : pathlib.Path
        The scenario TOML file.
    out : pathlib.Path or None
        Output folder for NetCDF, GeoTIFFs, isochrones and ``summary.json``; None writes
        nothing. Nothing is written when the scenario is invalid either.
    root : pathlib.Path, optional
        Data root for layer references (default: decided by :func:`atlas.load_scenario`).
    progress : callable, optional
        Called with the fraction of the run done, in [0, 1].
    """
    scenario = load_scenario(scenario_path, root=root)
    dataset = project(scenario, progress=progress)
    if out is None:
        return summary(dataset, scenario)
    write_outputs(dataset, out, scenario=scenario)
    written: dict[str, Any] = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return written


def arrival_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Arrival times of a plume summary, one row per receptor and threshold.

    ``arrival_yr`` is years after the scenario's start; ``calendar_year`` is set when the
    scenario has a ``start_year``. Missing values mean "not reached within the horizon".
    """
    table = pd.DataFrame(
        summary["arrivals"],
        columns=["receptor", "threshold_mg_per_l", "arrival_yr", "arrival_calendar_year"],
    )
    return table.rename(columns={"arrival_calendar_year": "calendar_year"})
