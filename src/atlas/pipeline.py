"""The whole build on one screen: load -> join -> run plumes -> publish.

This is the only module that calls every stage; each stage stays a pure function of its
inputs, and the command line only calls what is here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from atlas.ensemble import EnsembleResult, run_ensemble
from atlas.errors import ScenarioError
from atlas.joins import join_sites
from atlas.load import Layers, load_layers
from atlas.load.sources import read_layer_sources
from atlas.publish.outputs import read_result, write_result
from atlas.publish.outputs.contents import export_contents
from atlas.publish.outputs.ensemble import check_ensemble_folder, write_ensemble
from atlas.publish.outputs.export_layers import ExportContents
from atlas.publish.outputs.flat import Format, check_folder_target, write_folder
from atlas.publish.outputs.geopackage import check_geopackage_target, write_geopackage
from atlas.publish.site import check_site_folder, write_site
from atlas.result import PlumeResult
from atlas.run import run_scenario
from atlas.scenario import Scenario, load_scenario
from atlas.scenario.collection import SCENARIOS_FOLDER, load_scenarios

__all__ = [
    "PLUME_CACHE",
    "build_site",
    "ensemble_file",
    "export_contents_of",
    "export_folder",
    "export_geopackage",
    "joined_layers",
    "run_file",
]

PLUME_CACHE = Path(".cache") / "plumes"
"""Where :func:`build_site` keeps plume results between builds, relative to the data root:
``<root>/.cache/plumes/<scenario name>/``."""

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


def _cached_run(scenario: Scenario, folder: Path, progress: BuildProgress | None) -> PlumeResult:
    """The result of ``scenario``: read from ``folder`` when its inputs are unchanged, else run
    and kept there."""
    result = read_result(folder, scenario)
    if result is not None:
        if progress is not None:
            progress(scenario.name, 1.0)
        return result
    report = None if progress is None else partial(progress, scenario.name)
    result = run_scenario(scenario, progress=report)
    write_result(result, folder)
    return result


def build_site(
    root: Path,
    out: Path,
    *,
    tiles: bool = False,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Build the static site from the data root into ``out``; returns the index page.

    Every scenario of ``<root>/scenarios/`` is run, or its earlier result reused when the
    inputs' hash (:func:`atlas.scenario.digest.inputs_sha256`) is unchanged; the page shows
    their outlines and tables, and ``out/plumes/<name>/`` holds their files.

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
    """
    check_site_folder(out)
    layers = joined_layers(root)
    cache_dir = root / PLUME_CACHE if cache_dir is None else cache_dir
    results = [
        _cached_run(scenario, cache_dir / scenario.name, progress)
        for scenario in load_scenarios(root)
    ]
    return write_site(out, layers, tiles=tiles, results=results)


def _chosen(scenarios: list[Scenario], names: Sequence[str] | None, root: Path) -> list[Scenario]:
    """The scenarios named (all when ``names`` is None), each once, in file order."""
    if names is None:
        return scenarios
    known = [scenario.name for scenario in scenarios]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ScenarioError(
            f"no scenario named {', '.join(map(repr, unknown))}; the scenarios are "
            f"{', '.join(known) or 'none'}; give one of them to --scenario",
            path=root / SCENARIOS_FOLDER,
        )
    return [scenario for scenario in scenarios if scenario.name in set(names)]


def export_contents_of(
    root: Path,
    *,
    scenarios: Sequence[str] | None = None,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
) -> ExportContents:
    """Every layer of ``root`` (the sites joined), its provenance, and the plume results of
    its scenarios (from the cache of :func:`build_site`, or run), ready to export.

    Parameters
    ----------
    root : pathlib.Path
        Data root.
    scenarios : sequence of str, optional
        Names of the scenarios to include (default: every scenario of ``<root>/scenarios/``;
        an empty sequence: none).
    progress, cache_dir
        As for :func:`build_site`.

    Raises
    ------
    ScenarioError
        When a name is not one of the scenarios (the message lists them).
    """
    chosen = _chosen(load_scenarios(root), scenarios, root)
    layers = joined_layers(root)
    cache_dir = root / PLUME_CACHE if cache_dir is None else cache_dir
    results = [_cached_run(s, cache_dir / s.name, progress) for s in chosen]
    return export_contents(layers, results, read_layer_sources(root))


def export_geopackage(
    root: Path,
    out: Path,
    *,
    scenarios: Sequence[str] | None = None,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write the atlas as one GeoPackage (:mod:`atlas.publish.outputs.geopackage`): every
    layer, the plume rasters of the scenarios, QGIS styles and provenance; returns ``out``.

    Parameters are those of :func:`export_contents_of`; ``out`` is the ``.gpkg`` file,
    written beside itself and moved into place.
    """
    check_geopackage_target(out)  # before lengthy runs
    contents = export_contents_of(root, scenarios=scenarios, progress=progress, cache_dir=cache_dir)
    return write_geopackage(out, contents)


def export_folder(
    root: Path,
    out: Path,
    form: Format,
    *,
    scenarios: Sequence[str] | None = None,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Write the layers as one GeoJSON, CSV or Parquet file each, the rasters as GeoTIFFs and
    ``export.json`` into the folder ``out`` (:mod:`atlas.publish.outputs.flat`); returns it.

    Parameters are those of :func:`export_contents_of`; ``form`` is ``"geojson"``, ``"csv"``
    or ``"parquet"``.
    """
    check_folder_target(out)  # before lengthy runs
    contents = export_contents_of(root, scenarios=scenarios, progress=progress, cache_dir=cache_dir)
    write_folder(out, contents, form)
    return out


def run_file(
    scenario_path: Path,
    out: Path | None,
    *,
    root: Path | None = None,
    progress: Callable[[float], None] | None = None,
) -> PlumeResult:
    """Load and run one plume scenario, and write its files into ``out`` when given.

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
    result = run_scenario(load_scenario(scenario_path, root=root), progress=progress)
    if out is not None:
        write_result(result, out)
    return result


def ensemble_file(
    scenario_path: Path,
    out: Path | None,
    *,
    root: Path | None = None,
    realizations: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> EnsembleResult:
    """Load a scenario with an ``[uncertainty]`` section, run its ensemble on Dask
    (:func:`atlas.ensemble.run_ensemble`) and write its files into ``out`` when given
    (:func:`atlas.publish.outputs.ensemble.write_ensemble`).

    The scenario and the output folder are checked before any realization runs: a bad
    scenario, a folder that may not be replaced or an unreachable scheduler writes nothing.

    Parameters
    ----------
    scenario_path : pathlib.Path
        The scenario TOML file.
    out : pathlib.Path or None
        Output folder; None writes nothing.
    root : pathlib.Path, optional
        Data root for layer references.
    realizations, seed : int, optional
        Override ``uncertainty.realizations`` and ``uncertainty.seed``.
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    scheduler : str, optional
        Address of a running Dask scheduler (default: ``$DASK_SCHEDULER_ADDRESS``, else a
        local cluster).
    progress : callable, optional
        Called with the fraction of realizations done, in [0, 1].
    """
    scenario = load_scenario(scenario_path, root=root)
    if out is not None:
        check_ensemble_folder(out)
    result = run_ensemble(
        scenario,
        realizations=realizations,
        seed=seed,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    if out is not None:
        write_ensemble(result, out)
    return result
