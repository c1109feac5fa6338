"""What the command line asks for besides the site: one scenario run, an ensemble, an export.

Each task loads its inputs, calls the stages (reusing the build's cache of plume results,
:func:`atlas.pipeline.cached_result`) and writes through the publishers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from atlas.ensemble import EnsembleResult, run_ensemble
from atlas.errors import ScenarioError
from atlas.pipeline import (
    PLUME_CACHE,
    BuildProgress,
    cached_result,
    contents_of,
    joined_layers,
    scenario_ensembles,
)
from atlas.publish.outputs import write_result
from atlas.publish.outputs.ensemble import check_ensemble_folder, write_ensemble
from atlas.publish.outputs.export_layers import ExportContents
from atlas.publish.outputs.flat import Format, check_folder_target, write_folder
from atlas.publish.outputs.geopackage import check_geopackage_target, write_geopackage
from atlas.publish.outputs.quicklook import read_surroundings, surroundings_of
from atlas.result import PlumeResult
from atlas.run import run_scenario
from atlas.scenario import Scenario, load_scenario
from atlas.scenario.collection import SCENARIOS_FOLDER, load_scenarios
from atlas.screening import screen_sites

__all__ = ["ensemble_file", "export_contents_of", "export_folder", "export_geopackage", "run_file"]


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
    screening: bool = True,
    ensembles: Sequence[EnsembleResult] | None = None,
) -> ExportContents:
    """Every layer of ``root`` (the sites joined), its provenance, the plume results of its
    scenarios (from the cache of :func:`build_site`, or run) and the screening of every site,
    ready to export.

    Parameters
    ----------
    root : pathlib.Path
        Data root.
    scenarios : sequence of str, optional
        Names of the scenarios to include (default: every scenario of ``<root>/scenarios/``;
        an empty sequence: none).
    progress, cache_dir
        As for :func:`build_site`.
    screening : bool
        Include the screening of every site (:func:`atlas.screening.screen_sites` with its
        default priors and realizations; seconds for the shipped layers).
    ensembles : sequence of EnsembleResult, optional
        Ensembles to include (default: those of the chosen scenarios with an
        ``[uncertainty]`` table, from the cache of :func:`atlas.pipeline.cached_ensemble`
        in ``<root>/.cache/ensembles``, or run).

    Raises
    ------
    ScenarioError
        When a name is not one of the scenarios (the message lists them).
    """
    chosen = _chosen(load_scenarios(root), scenarios, root)
    layers = joined_layers(root)
    cache_dir = root / PLUME_CACHE if cache_dir is None else cache_dir
    surroundings = surroundings_of(layers)
    results = [cached_result(s, cache_dir / s.name, progress, surroundings) for s in chosen]
    if ensembles is None:
        ensembles = scenario_ensembles(root, chosen, progress)
    screened = screen_sites(layers) if screening else None
    return contents_of(root, layers, results, ensembles=ensembles, screening=screened)


def export_geopackage(
    root: Path,
    out: Path,
    *,
    scenarios: Sequence[str] | None = None,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
    ensembles: Sequence[EnsembleResult] | None = None,
) -> Path:
    """Write the atlas as one GeoPackage (:mod:`atlas.publish.outputs.geopackage`): every
    layer, the plume rasters of the scenarios, QGIS styles and provenance; returns ``out``.

    Parameters are those of :func:`export_contents_of` (with the screening); ``out`` is the
    ``.gpkg`` file,
    written beside itself and moved into place.
    """
    check_geopackage_target(out)  # before lengthy runs
    contents = export_contents_of(
        root, scenarios=scenarios, progress=progress, cache_dir=cache_dir, ensembles=ensembles
    )
    return write_geopackage(out, contents)


def export_folder(
    root: Path,
    out: Path,
    form: Format,
    *,
    scenarios: Sequence[str] | None = None,
    progress: BuildProgress | None = None,
    cache_dir: Path | None = None,
    ensembles: Sequence[EnsembleResult] | None = None,
) -> Path:
    """Write the layers as one GeoJSON, CSV or Parquet file each, the rasters as GeoTIFFs and
    ``export.json`` into the folder ``out`` (:mod:`atlas.publish.outputs.flat`); returns it.

    Parameters are those of :func:`export_contents_of`; ``form`` is ``"geojson"``, ``"csv"``
    or ``"parquet"``.
    """
    check_folder_target(out)  # before lengthy runs
    contents = export_contents_of(
        root, scenarios=scenarios, progress=progress, cache_dir=cache_dir, ensembles=ensembles
    )
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
        Output folder for NetCDF, GeoTIFFs, isochrones, quicklook PNGs and ``summary.json``;
        None writes nothing. Nothing is written when the scenario is invalid either.
    root : pathlib.Path, optional
        Data root for layer references (default: decided by :func:`atlas.load_scenario`);
        its ponds, rivers and observations are drawn under the quicklook maps.
    progress : callable, optional
        Called with the fraction of the run done, in [0, 1].
    """
    scenario = load_scenario(scenario_path, root=root)
    surroundings = None if out is None or root is None else read_surroundings(root)
    result = run_scenario(scenario, progress=progress)
    if out is not None:
        write_result(result, out, surroundings=surroundings)
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
