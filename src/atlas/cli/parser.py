"""The ``atlas`` command line's arguments: one sub-command each, with its help text."""

from __future__ import annotations

import argparse

from atlas import __version__
from atlas.cli import commands as handlers


def _add_root_option(
    parser: argparse.ArgumentParser, default: str = "the current directory"
) -> None:
    parser.add_argument(
        "--root",
        metavar="DIR",
        help=f"data root holding layers/, rasters/ and scenarios/ "
        f"(default: $ATLAS_ROOT, else {default})",
    )


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
    build.set_defaults(run=handlers.build)

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
    sites.set_defaults(run=handlers.sites)

    plume = commands.add_parser(
        "plume",
        help="project a groundwater plume from a scenario file",
        description="Run a plume scenario (TOML; see the README), print the modelled arrival "
        "times at each receptor and threshold, and, with --out, write CF NetCDF, one GeoTIFF "
        "per output time, plume isochrones (GeoJSON, EPSG:4326), summary.json and quicklook "
        "PNGs (a map per output time, the receptors' concentrations over time) there. A bad "
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
    plume.set_defaults(run=handlers.plume)

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
        help="worker processes of the local cluster, one realization at a time each "
        "(default: one per core)",
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
    ensemble.set_defaults(run=handlers.ensemble)

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
    screen.set_defaults(run=handlers.screen)

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
    export.set_defaults(run=handlers.export, parser=export)
    return parser
