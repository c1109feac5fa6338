"""The whole build on one screen: load -> join -> run plumes -> publish.

This module and :mod:`atlas.tasks` (one run, an ensemble, an export) are the only ones that
call every stage; each stage stays a pure function of its inputs, and the command line only
calls what is in these two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import geopandas as gpd

from atlas.ensemble import EnsembleResult, run_ensemble
from atlas.joins import join_sites
from atlas.load import Layers, load_layers
from atlas.load.sources import read_layer_sources
from atlas.publish.outputs import read_result, write_result
from atlas.publish.outputs.contents import export_contents
from atlas.publish.outputs.ensemble import read_ensemble, write_ensemble
from atlas.publish.outputs.export_layers import ExportContents
from atlas.publish.outputs.geopackage import write_geopackage
from atlas.publish.outputs.quicklook import Surroundings, surroundings_of
from atlas.publish.site import check_site_folder, write_site
from atlas.result import PlumeResult
from atlas.run import run_scenario
from atlas.scenario import Scenario
from atlas.scenario.collection import load_scenarios
from atlas.screening import screen_sites
from atlas.screening_priors import DEFAULT_PRIORS

__all__ = [
    "ENSEMBLE_CACHE",
    "PLUME_CACHE",
    "BuildProgress",
    "build_site",
    "cached_ensemble",
    "cached_result",
    "contents_of",
    "joined_layers",
    "scenario_ensembles",
]

PLUME_CACHE = Path(".cache") / "plumes"
"""Where :func:`build_site` keeps plume results between builds, relative to the data root:
``<root>/.cache/plumes/<scenario name>/``."""

ENSEMBLE_CACHE = Path(".cache") / "ensembles"
"""Where the ensembles of the scenarios with an ``[uncertainty]`` table are kept between
builds and exports, relative to the data root: ``<root>/.cache/ensembles/<scenario name>/``."""

T = TypeVar("T")

BuildProgress = Callable[[str, float], None]
"""Called with a scenario name and the fraction of its run done, in [0, 1]."""


def joined_layers(root: Path) -> Layers:
    """The layers of ``root``, the curated sites joined with their nearest river, country and
    nearest town (:func:`atlas.joins.join_sites`)."""
    layers = load_layers(root)
    sites = join_sites(
        layers.sites, rivers=layers.rivers_10m, countries=layers.countries, towns=layers.towns
    )
    return replace(layers, sites=sites)


def cached_result(
    scenario: Scenario,
    folder: Path,
    progress: BuildProgress | None,
    surroundings: Surroundings | None = None,
) -> PlumeResult:
    """The result of ``scenario``: read from ``folder`` when its inputs are unchanged, else run
    and kept there (the cache of :func:`build_site` and of the exports), its quicklook maps
    drawn over ``surroundings``."""
    return _cached(
        scenario,
        progress,
        partial(read_result, folder),
        partial(run_scenario, scenario),
        partial(write_result, out_dir=folder, surroundings=surroundings),
    )


def cached_ensemble(
    scenario: Scenario, folder: Path, progress: BuildProgress | None
) -> EnsembleResult:
    """The ensemble of ``scenario`` (which has an ``[uncertainty]`` table): read from
    ``folder`` when its inputs are unchanged, else run on a local Dask cluster and kept
    there."""
    return _cached(
        scenario,
        progress,
        partial(read_ensemble, folder),
        partial(run_ensemble, scenario),
        partial(write_ensemble, out_dir=folder),
    )


def _cached(
    scenario: Scenario,
    progress: BuildProgress | None,
    read: Callable[[Scenario], T | None],
    run: Callable[..., T],
    write: Callable[[T], object],
) -> T:
    """What ``read`` finds for ``scenario`` (reported done at once), else what ``run`` gives
    (reporting its progress under the scenario's name), kept by ``write``."""
    found = read(scenario)
    if found is not None:
        if progress is not None:
            progress(scenario.name, 1.0)
        return found
    result = run(progress=None if progress is None else partial(progress, scenario.name))
    write(result)
    return result


def scenario_ensembles(
    root: Path, scenarios: Sequence[Scenario], progress: BuildProgress | None
) -> list[EnsembleResult]:
    """The ensembles of the ``scenarios`` that have an ``[uncertainty]`` table, from the cache
    of :func:`cached_ensemble` in ``<root>/.cache/ensembles`` (:data:`ENSEMBLE_CACHE`), or run."""
    return [
        cached_ensemble(s, root / ENSEMBLE_CACHE / s.name, progress)
        for s in scenarios
        if s.uncertainty is not None
    ]


def contents_of(
    root: Path,
    layers: Layers,
    results: Sequence[PlumeResult],
    *,
    ensembles: Sequence[EnsembleResult],
    screening: gpd.GeoDataFrame | None,
) -> ExportContents:
    """What an export of ``root`` holds (:func:`atlas.publish.outputs.contents.export_contents`):
    its layers with their provenance, the plume ``results``, the ``ensembles`` and the
    ``screening`` layer (with the table of its default priors) when given."""
    return export_contents(
        layers,
        results,
        read_layer_sources(root),
        ensembles=ensembles,
        screening=screening,
        screening_priors=None if screening is None else DEFAULT_PRIORS.table(),
    )


def build_site(
    root: Path,
    out: Path,
    *,
    tiles: bool = False,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
    geopackage: bool = True,
    screening: bool = False,
) -> Path:
    """Build the static site from the data root into ``out``; returns the index page.

    Every scenario of ``<root>/scenarios/`` is run, or its earlier result reused when the
    inputs' hash (:func:`atlas.scenario.digest.inputs_sha256`) is unchanged, and so is the
    ensemble of each one with an ``[uncertainty]`` table (:func:`scenario_ensembles`); the
    index shows their outlines, each has its page (``out/scenarios/<slug>/``, with its
    ensemble's probability of arrival and verdict), and ``out/plumes/<name>/`` holds their
    files. The GeoPackage of every layer, result and ensemble
    (:mod:`atlas.publish.outputs.geopackage`) is written as ``out/downloads/atlas.gpkg`` in the
    same build, so the site's link to it always holds.

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
        Called with a scenario's name and the fraction of its run done, in [0, 1]; a reused
        result reports 1.0 at once.
    cache_dir : pathlib.Path, optional
        Where results are kept between builds, one folder per scenario name (default:
        ``<root>/.cache/plumes``, see :data:`PLUME_CACHE`).
    geopackage : bool
        Write ``downloads/atlas.gpkg`` (default); without it the site links none.
    screening : bool
        Screen every site (:func:`atlas.screening.screen_sites`, default priors; tens of
        seconds for the shipped layers): shown in the table of sites, on the sites' pages and
        in the GeoPackage.
    """
    check_site_folder(out)
    layers = joined_layers(root)
    cache_dir = root / PLUME_CACHE if cache_dir is None else cache_dir
    surroundings = surroundings_of(layers)
    scenarios = load_scenarios(root)
    results = [
        cached_result(scenario, cache_dir / scenario.name, progress, surroundings)
        for scenario in scenarios
    ]
    ensembles = scenario_ensembles(root, scenarios, progress)
    screened = screen_sites(layers) if screening else None
    package = None
    if geopackage:
        contents = contents_of(root, layers, results, ensembles=ensembles, screening=screened)
        package = partial(write_geopackage, contents=contents)
    return write_site(
        out,
        layers,
        tiles=tiles,
        results=results,
        screening=screened,
        geopackage=package,
        ensembles={ensemble.name: ensemble for ensemble in ensembles},
    )
