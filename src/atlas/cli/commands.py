"""What each ``atlas`` command does: read its arguments, call :mod:`atlas.pipeline` or
:mod:`atlas.tasks`, print what was written. The library is imported inside each command, so
``atlas --help`` stays fast."""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.cli.progress import progress_bar, scenario_bars
from atlas.errors import AtlasError

if TYPE_CHECKING:
    import pandas as pd

    from atlas.result import PlumeResult

NO_RECEPTOR = "no [[receptor]], so no arrival times: add one to time the plume's arrival there"

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


def build(args: argparse.Namespace) -> None:
    from atlas.pipeline import build_site

    with scenario_bars() as progress:
        index = build_site(
            _root(args),
            Path(args.out),
            tiles=args.tiles,
            progress=progress,
            screening=args.screening,
        )
    print(f"wrote {index}")


def export(args: argparse.Namespace) -> None:
    from atlas.tasks import export_folder, export_geopackage

    if (args.gpkg is None) == (args.format is None):
        args.parser.error("give either --gpkg FILE.gpkg or --format FORMAT DIR")
    if args.format is not None and args.dir is None:
        args.parser.error(f"--format {args.format} needs the folder to write: DIR")
    if args.gpkg is not None and args.dir is not None:
        args.parser.error("DIR goes with --format; --gpkg takes the file name itself")
    with scenario_bars() as progress:
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


def sites(args: argparse.Namespace) -> None:
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


def plume(args: argparse.Namespace) -> None:
    from atlas.result import MODELLED_LABEL
    from atlas.tasks import run_file

    with progress_bar(Path(args.scenario).stem) as progress:
        out = None if args.out is None else Path(args.out)
        result = run_file(Path(args.scenario), out, root=_scenario_root(args), progress=progress)
    scenario = result.scenario
    print(f"{scenario.name}: {scenario.description}" if scenario.description else scenario.name)
    written = "no --out given, nothing written" if out is None else f"outputs in {out}"
    print(f"{MODELLED_LABEL}; {written}")
    if not result.transports:
        print("flow only: no [[source]] and no [initial], so heads and velocities, no plume")
        return
    if scenario.receptors:
        _print_arrivals(result)
    else:
        print(NO_RECEPTOR)
    from atlas.observed import observation_rows

    for row in observation_rows(result):
        print(row["sentence"])


def _print_arrivals(result: PlumeResult) -> None:
    """The arrival table of a run: receptor, threshold, year (and calendar year)."""
    scenario = result.scenario
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


def ensemble(args: argparse.Namespace) -> None:
    from atlas.result import MODELLED_LABEL
    from atlas.tasks import ensemble_file

    with progress_bar(f"{Path(args.scenario).stem} realizations") as progress:
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
    if not scenario.receptors:
        print(NO_RECEPTOR)
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
            before = "/".join(f"{v:.3g}" for v in shift.prior)
            print(
                f"  {shift.key}: P5/P50/P95 {before} -> {shift.posterior_phrase()} "
                f"(KS distance {shift.ks_distance:.2f}; noise below {constraint.noise_ks:.2f})"
            )
        if constraint.warning is not None:
            print(constraint.warning)
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


def screen(args: argparse.Namespace) -> None:
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
