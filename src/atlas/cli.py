"""The ``atlas`` command line: parses arguments, calls the library, reports errors in one line.

Every :class:`~atlas.errors.AtlasError` becomes a single ``atlas: error: ...`` message on
standard error and exit status 1 (2 for a usage error); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from atlas import __version__
from atlas.errors import AtlasError, ScenarioWarning

if TYPE_CHECKING:
    import pandas as pd

EXIT_ERROR = 1

SITE_COLUMNS = [
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

SITE_NOTE = (
    "Distances in metres, measured in each site's UTM zone (distance_crs) to Natural Earth "
    "1:10m rivers and populated places; rivers farther than {radius_km:.0f} km are not listed. "
    "Sources of every site: --format csv or json."
)
"""Where the numbers of ``atlas sites`` come from, printed under the table."""

TABLE_VIEW = [
    "name",
    "kind",
    "country_name",
    "nearest_river_name",
    "nearest_river_distance_m",
    "nearest_town_name",
    "nearest_town_distance_m",
    "distance_crs",
]
"""Columns shown by ``atlas sites`` in a terminal; csv and json give every column."""


def _add_root_option(
    parser: argparse.ArgumentParser, default: str = "the current directory"
) -> None:
    parser.add_argument(
        "--root",
        metavar="DIR",
        help=f"data root holding layers/, rasters/ and scenarios/ "
        f"(default: $ATLAS_ROOT, else {default})",
    )


@contextmanager
def _progress_bar(name: str) -> Iterator[Callable[[float], None]]:
    """A progress bar on standard error, shown only on a terminal and only for runs longer than
    a few seconds; yields the callback that takes the fraction done, in [0, 1]."""
    from tqdm import tqdm

    with tqdm(
        total=100,
        desc=name,
        unit="%",
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
        delay=2.0,
        disable=None,
        file=sys.stderr,
    ) as bar:

        def update(fraction: float) -> None:
            bar.update(round(100 * fraction) - bar.n)

        yield update


@contextmanager
def _scenario_bars() -> Iterator[Callable[[str, float], None]]:
    """Yields the progress callback of a build: one bar per scenario, one at a time."""
    with ExitStack() as bars:
        current: dict[str, Callable[[float], None]] = {}

        def progress(name: str, fraction: float) -> None:
            if name not in current:
                bars.close()
                current.clear()
                current[name] = bars.enter_context(_progress_bar(f"projecting {name}"))
            current[name](fraction)

        yield progress


def _build(args: argparse.Namespace) -> None:
    from atlas.pipeline import build_site

    with _scenario_bars() as progress:
        index = build_site(
            _root(args),
            Path(args.out),
            tiles=args.tiles,
            progress=progress,
            screening=args.screening,
        )
    print(f"wrote {index}")


def _export(args: argparse.Namespace) -> None:
    from atlas.tasks import export_folder, export_geopackage

    if (args.gpkg is None) == (args.format is None):
        args.parser.error("give either --gpkg FILE.gpkg or --format FORMAT DIR")
    if args.format is not None and args.dir is None:
        args.parser.error(f"--format {args.format} needs the folder to write: DIR")
    if args.gpkg is not None and args.dir is not None:
        args.parser.error("DIR goes with --format; --gpkg takes the file name itself")
    with _scenario_bars() as progress:
        if args.gpkg is not None:
            written = export_geopackage(
                _root(args), Path(args.gpkg), scenarios=args.scenario, progress=progress
            )
        else:
            written = export_folder(
                _root(args), Path(args.dir), args.format, scenarios=args.scenario, progress=progress
            )
    print(f"wrote {written}")


def _site_table(root: Path) -> pd.DataFrame:
    """Curated sites with the joined fields; distances rounded to whole metres."""
    import pandas as pd

    from atlas.pipeline import joined_layers

    table = pd.DataFrame(joined_layers(root).sites[SITE_COLUMNS])
    for column in ("nearest_river_distance_m", "nearest_town_distance_m"):
        table[column] = table[column].round().astype("Int64")
    return table


def _sites(args: argparse.Namespace) -> None:
    from atlas.joins import RIVER_SEARCH_RADIUS_M

    table = _site_table(_root(args))
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False, lineterminator="\n"))
        return
    records = table.astype(object).where(table.notna(), None)
    if args.format == "json":
        text = json.dumps(records.to_dict("records"), indent=2, ensure_ascii=False)
        sys.stdout.write(text + "\n")
    else:
        view = records[TABLE_VIEW].fillna("-").rename(columns=lambda c: c.replace("nearest_", ""))
        sys.stdout.write(view.to_string(index=False, max_colwidth=42) + "\n\n")
        note = SITE_NOTE.format(radius_km=RIVER_SEARCH_RADIUS_M / 1000)
        sys.stdout.write(textwrap.fill(note, width=100) + "\n")


def _plume(args: argparse.Namespace) -> None:
    from atlas.result import MODELLED_LABEL
    from atlas.tasks import run_file

    with _progress_bar(Path(args.scenario).stem) as progress:
        out = None if args.out is None else Path(args.out)
        result = run_file(Path(args.scenario), out, root=_scenario_root(args), progress=progress)
    scenario = result.scenario
    print(f"{scenario.name}: {scenario.description}")
    written = "no --out given, nothing written" if out is None else f"outputs in {out}"
    print(f"{MODELLED_LABEL}; {written}")
    if not result.transports:
        print("flow only: no [[source]] and no [initial], so heads and velocities, no plume")
        return
    table = result.arrivals.rename(columns={"arrival_calendar_year": "calendar_year"})
    if scenario.start_year is None:
        table = table.drop(columns="calendar_year")
    print(
        table.to_string(
            index=False,
            na_rep="not reached",
            formatters={
                "threshold_mg_per_l": "{:g}".format,
                "arrival_yr": "{:.1f}".format,
                "calendar_year": lambda year: f"{math.floor(year)}",  # the year it happens in
            },
        )
    )
    if table["arrival_yr"].isna().any():
        print(f"not reached: not within the horizon of {scenario.horizon_yr:g} years")
    from atlas.observed import observation_rows

    for row in observation_rows(result):
        print(row["sentence"])


def _ensemble(args: argparse.Namespace) -> None:
    from atlas.result import MODELLED_LABEL
    from atlas.tasks import ensemble_file

    with _progress_bar(f"{Path(args.scenario).stem} realizations") as progress:
        out = None if args.out is None else Path(args.out)
        result = ensemble_file(
            Path(args.scenario),
            out,
            root=_scenario_root(args),
            realizations=args.realizations,
            seed=args.seed,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress,
        )
    scenario = result.scenario
    print(f"{scenario.name}: {result.count} realizations (seed {result.seed}), {result.kept} kept")
    written = "no --out given, nothing written" if out is None else f"outputs in {out}"
    print(f"{MODELLED_LABEL}; {written}")
    dataset = result.dataset
    for receptor in scenario.receptors:
        for threshold in receptor.thresholds_mg_per_l:
            where = {"receptor": receptor.name, "threshold_mg_per_l": threshold}
            quantiles = dataset["arrival_quantile_yr"].sel(where).values
            never = float(dataset["never_arrived_probability"].sel(where))
            shown = " ".join(
                f"P{round(100 * q)}={'-' if math.isnan(v) else f'{v:.1f}'}"
                for q, v in zip(dataset["arrival_quantile"].values, quantiles, strict=True)
            )
            print(
                f"{receptor.name} >= {threshold:g} mg/L: arrival yr {shown}; "
                f"not within {scenario.horizon_yr:g} yr: {never:.0%}"
            )
    constraint = result.constraint
    if constraint is not None:
        print(constraint.sentence())
        for observation, count in zip(constraint.observations, constraint.met_counts, strict=True):
            print(
                f"  {observation.name} ({observation.describe()}): met by {count} of "
                f"{constraint.realizations}"
            )
        for shift in constraint.parameters:
            before, after = (
                "/".join(f"{v:.3g}" for v in q) for q in (shift.prior, shift.posterior)
            )
            print(
                f"  {shift.key}: P5/P50/P95 {before} -> {after} "
                f"(KS distance {shift.ks_distance:.2f})"
            )
        for verdict in constraint.claims:
            print(verdict.sentence)


def _whole_number(text: str, option: str, minimum: int, example: str) -> int:
    """``text`` as an integer >= ``minimum``, else an :class:`AtlasError` naming the fix."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise AtlasError(f"{option} {text!r}: give a whole number >= {minimum}, e.g. {example}")
    return value


def _screen(args: argparse.Namespace) -> None:
    import time

    from atlas.load import load_layers
    from atlas.screening import check_output_path, screen_sites, write_screening

    realizations = _whole_number(args.realizations, "--realizations", 1, "--realizations 1000")
    seed = _whole_number(args.seed, "--seed", 0, "--seed 7")
    out = check_output_path(Path(args.out))  # before the run, so a bad name costs nothing
    layers = load_layers(_root(args))
    start = time.perf_counter()
    layer = screen_sites(layers, realizations=realizations, seed=seed)
    seconds = time.perf_counter() - start
    write_screening(layer, out)
    print(
        f"wrote {out}: {len(layer)} sites x {realizations} realizations (seed {seed}) "
        f"in {seconds:.1f} s"
    )
    print(layer["modelled"].iloc[0] if len(layer) else "no sites to screen")


def _scenario_root(args: argparse.Namespace) -> Path | None:
    """The data root for a scenario (:func:`atlas.load.root.locate_root`): --root, else
    ATLAS_ROOT, else the folder above the scenario's folder, else the current directory,
    each only when it holds layers/; None when there is none (layer references are then
    reported as problems)."""
    from atlas.load.root import locate_root

    return locate_root(args.root, scenario=args.scenario)


def _root(args: argparse.Namespace) -> Path:
    from atlas.load.root import find_root

    return find_root(args.root)


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``atlas`` command (all sub-commands)."""
    parser = argparse.ArgumentParser(
        prog="atlas",
        description="An atlas of rare-earth mines, their tailings and the groundwater plumes "
        "they leave: build the map site, list sites with their surroundings, project plumes, "
        "screen every site.",
        epilog="Data root: the folder with layers/ (and rasters/, scenarios/); see --root.",
    )
    parser.add_argument("--version", action="version", version=f"atlas {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when something fails"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="build the static map site, with every scenario's projection",
        description="Build the static site (index.html and a page per curated site, each with "
        "its embed.html, the embed guide, downloads/ with atlas.gpkg and each site's data, the "
        "local assets, and plumes/ with the projection of every scenario in scenarios/) from "
        "the data root. A projection is reused from <root>/.cache/plumes/ while its inputs are "
        "unchanged.",
    )
    _add_root_option(build)
    build.add_argument("--out", default="site", metavar="DIR", help="output folder (default: site)")
    build.add_argument(
        "--tiles",
        action="store_true",
        help="add optional OpenStreetMap tiles (the page then loads tiles from the network); "
        "by default the page uses only the offline basemap drawn from the shipped layers",
    )
    build.add_argument(
        "--screening",
        action="store_true",
        help="also screen every site (as atlas screen does, default priors; tens of seconds): "
        "its modelled results go into the table of sites, the sites' pages and atlas.gpkg",
    )
    build.set_defaults(run=_build)

    sites = commands.add_parser(
        "sites",
        help="list the curated sites with their nearest river, country and nearest town",
        description="Print the curated sites joined with their nearest river, country and "
        "nearest town. Distances are in metres, measured in each site's UTM zone.",
    )
    _add_root_option(sites)
    sites.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table)",
    )
    sites.set_defaults(run=_sites)

    plume = commands.add_parser(
        "plume",
        help="project a groundwater plume from a scenario file",
        description="Run a plume scenario (TOML; see the README), print the modelled arrival "
        "times at each receptor and threshold, and, with --out, write CF NetCDF, one GeoTIFF "
        "per output time, plume isochrones (GeoJSON, EPSG:4326) and summary.json there. A bad "
        "scenario lists every problem and writes nothing.",
    )
    plume.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario file")
    plume.add_argument(
        "--out",
        metavar="DIR",
        help="output folder for the files (default: none; only the arrival times are printed)",
    )
    _add_root_option(
        plume,
        default="the folder above the scenario's scenarios/ folder, else the current directory",
    )
    plume.set_defaults(run=_plume)

    ensemble = commands.add_parser(
        "ensemble",
        help="run a Monte Carlo ensemble of a plume scenario on Dask",
        description="Run the ensemble of a scenario with an [uncertainty] section (see the "
        "README, Ensembles): Latin hypercube samples of the priors, each realization an "
        "ordinary run, reduced on Dask workers. Prints the arrival-time quantiles per receptor "
        "and threshold and, with --out, writes ensemble.nc (exceedance probabilities, "
        "concentration quantiles), the realization table (Parquet, CSV) and "
        "ensemble_summary.json. A bad scenario lists every problem and writes nothing.",
    )
    ensemble.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario file")
    ensemble.add_argument("--out", metavar="DIR", help="output folder (default: none)")
    ensemble.add_argument(
        "--realizations", type=int, metavar="N", help="override uncertainty.realizations"
    )
    ensemble.add_argument("--seed", type=int, metavar="S", help="override uncertainty.seed")
    ensemble.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes of the local cluster (default: one per core)",
    )
    ensemble.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, tcp://host:port (default: $DASK_SCHEDULER_ADDRESS, "
        "else a local cluster)",
    )
    _add_root_option(
        ensemble,
        default="the folder above the scenario's scenarios/ folder, else the current directory",
    )
    ensemble.set_defaults(run=_ensemble)

    screen = commands.add_parser(
        "screen",
        help="screen every site: nearest river or lake and the modelled chance a plume reaches it",
        description="For every located site (USGS rare-earth sites and the curated sources), "
        "the nearest river or lake with its distance and bearing in the site's UTM zone, and "
        "the probability that a plume from a nominal source there reaches it within 50, 100 "
        "and 500 years, under the documented default priors (atlas.screening_priors). A "
        "MODELLED screening, not a site assessment. Writes one row per site.",
    )
    _add_root_option(screen)
    screen.add_argument(
        "--realizations",
        default="1000",
        metavar="N",
        help="Monte Carlo realizations per site (default: 1000)",
    )
    screen.add_argument(
        "--seed", default="7", metavar="S", help="seed of the Latin hypercube (default: 7)"
    )
    screen.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="output file: .csv (lon/lat columns), .geojson or .parquet (EPSG:4326 points)",
    )
    screen.set_defaults(run=_screen)

    export = commands.add_parser(
        "export",
        help="export every layer and plume output as a GeoPackage, or GeoJSON/CSV/Parquet files",
        description="Export the layers (the curated sites with their joined fields, USGS sites, "
        "rivers, lakes, countries, towns, the tailings pond, observations, context facts) and "
        "every scenario's modelled isochrones, receptors and sources. --gpkg writes one "
        "GeoPackage that also holds the heads, speeds and concentrations as Float32 rasters, a "
        "QGIS style per layer and the provenance of every table; --format writes one file per "
        "layer into DIR, the rasters as GeoTIFFs in DIR/rasters/, and export.json with the "
        "provenance. Projections are reused from "
        "<root>/.cache/plumes/ while their inputs are unchanged.",
    )
    _add_root_option(export)
    export.add_argument("--gpkg", metavar="FILE.gpkg", help="the GeoPackage to write")
    export.add_argument(
        "--format",
        choices=("geojson", "csv", "parquet"),
        help="write one file per layer in this format into DIR instead",
    )
    export.add_argument("dir", nargs="?", metavar="DIR", help="output folder of --format")
    export.add_argument(
        "--scenario",
        action="append",
        metavar="NAME",
        help="include this scenario (repeat for several; default: every scenario of "
        "<root>/scenarios/)",
    )
    export.set_defaults(run=_export, parser=export)
    return parser


def error_message(exc: AtlasError) -> str:
    """The text after ``atlas: error:``: one line, ``<file>: <key>: <what>; <fix>``, for an
    error with a single problem; else the error's first line followed by one indented line
    per problem. Line breaks inside a part never start a line of their own."""

    def flat(text: str) -> str:
        return " ".join(text.splitlines())

    head = flat(f"{exc.path}: {exc.message}" if exc.path else exc.message)
    if len(exc.problems) == 1 and exc.path:
        return flat(f"{exc.path}: {exc.problems[0]}")
    return "\n".join([head, *(f"    - {flat(str(p))}" for p in exc.problems)])


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print an atlas warning as one ``atlas: warning:`` line (others as Python does)."""
    if issubclass(category, ScenarioWarning):
        print(f"atlas: warning: {' '.join(str(message).splitlines())}", file=sys.stderr)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOWWARNING = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``atlas`` command; returns the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            args.run(args)
    except AtlasError as exc:
        if args.debug:
            raise
        print(f"atlas: error: {error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
