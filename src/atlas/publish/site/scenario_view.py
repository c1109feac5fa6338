"""What a scenario page shows: everything gathered from one result (and its ensemble) as
plain text and small values, before any markup.

:func:`scenario_view` writes the page's own files (the overlay images, the plume data file
and the SVG charts) into the page's folder and returns a :class:`ScenarioView` for the
templates of :mod:`.scenario_pages`. Every number shown carries its source; every modelled
one is said to be modelled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas.ensemble.result import EnsembleResult
from atlas.publish.charts import (
    arrival_probability,
    arrival_probability_chart,
    receptor_chart,
    receptor_series,
    year_axis,
)
from atlas.publish.site.data_files import write_data_file
from atlas.publish.site.features import feature_collection
from atlas.publish.site.figures import Figure, table_rows, write_svg
from atlas.publish.site.plume_images import PlumeFrames, frame_label, write_plume_images
from atlas.publish.site.plume_sentence import result_sentence
from atlas.publish.site.plume_tables import PlumeTable, PlumeView
from atlas.publish.site.popups import text_of
from atlas.result import PlumeResult

__all__ = ["PLUME_DATA", "Observed", "ScenarioView", "scenario_view"]

PLUME_DATA = "plume-data.js"
"""The data file of a scenario page: its frames, bounds and isochrones
(``window.atlasPlumeData``, read by ``assets/plume.js``)."""

ISOCHRONE_DECIMALS = 5
"""Decimals of a degree kept in the isochrones drawn on the page (about 1 m)."""


@dataclass(frozen=True)
class Observed:
    """An observation on a scenario's grid, as the claim check lists it."""

    name: str
    period: str
    result: str
    source: str


@dataclass(frozen=True)
class ScenarioView:
    """What one scenario page shows (plain text unless said otherwise).

    Attributes
    ----------
    name, title, folder, description : str
        The scenario's name, how pages name it (:attr:`atlas.scenario.Scenario.display_title`),
        the page's folder (``scenarios/<slug>``) and its description.
    sentence : str
        The result in one sentence (:func:`~.plume_sentence.result_sentence`), modelled.
    frames : PlumeFrames
        The overlay images, their bounds and the ramp.
    start : int
        The frame shown when the page opens.
    receptors_figure, ensemble_figure : Figure or None
        The concentration at the receptors; the probability of arrival (with an ensemble).
    assumptions, ensemble_assumptions : tuple of str
        The model's and the ensemble's assumptions.
    verdicts : tuple of str
        What the observations that constrain the ensemble say: how many realizations agree,
        then the verdict on each claim (empty without such an ensemble).
    plume : PlumeView
        The facts, downloads and label of the result (:mod:`.plume_tables`).
    """

    name: str
    title: str
    folder: str
    description: str
    sentence: str
    frames: PlumeFrames
    start: int
    receptors_figure: Figure
    ensemble_figure: Figure | None
    assumptions: tuple[str, ...]
    ensemble_assumptions: tuple[str, ...]
    plume: PlumeView
    verdicts: tuple[str, ...] = ()

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """(colour, label) of each class of the filled map, highest first."""
        ramp = self.frames.ramp
        return tuple(reversed(tuple(zip(ramp.colours, ramp.labels(), strict=True))))

    @property
    def slug(self) -> str:
        """The last part of :attr:`folder`."""
        return self.folder.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ClaimCheck:
    """Scenarios of one place side by side (the table of those on one grid, when there are
    several), and the observations on the grid."""

    table: PlumeTable | None
    scenarios: tuple[ScenarioView, ...]
    observations: tuple[Observed, ...]


def _start_frame(result: PlumeResult, frames: PlumeFrames) -> int:
    """The first output time at or after the first arrival of the first receptor's lowest
    threshold (the plume reaching it); the last one when it never arrives."""
    times = [frame.time_yr for frame in frames.frames]
    arrivals = result.arrivals.dropna(subset=["arrival_yr"])
    if arrivals.empty:
        return len(times) - 1
    first = float(arrivals.sort_values("arrival_yr")["arrival_yr"].iloc[0])
    return next((k for k, t in enumerate(times) if t >= first), len(times) - 1)


def _isochrones(result: PlumeResult, frames: PlumeFrames) -> list[dict[str, Any]]:
    """One FeatureCollection per frame: the outline at each threshold, with its colour."""
    isochrones = result.isochrones
    lowest = min(result.scenario.thresholds_mg_per_l, default=math.nan)

    def properties(row: Any) -> dict[str, Any]:
        threshold = float(row["threshold_mg_per_l"])
        return {
            "label": f"≥ {threshold:g} mg/L (modelled)",
            "colour": frames.ramp.colour_of(threshold),
            "lowest": threshold == lowest,
        }

    collections = []
    for frame in frames.frames:
        rows = isochrones[np.isclose(isochrones["time_yr"].to_numpy(float), frame.time_yr)]
        collections.append(
            feature_collection(
                gpd.GeoDataFrame(rows, geometry="geometry", crs=isochrones.crs),
                properties,
                sort_by=("threshold_mg_per_l",),
                decimals=ISOCHRONE_DECIMALS,
                where=f"plumes/{result.name}/isochrones.geojson",
            )
        )
    return collections


def _receptors(result: PlumeResult) -> dict[str, Any]:
    """The scenario's receptors in EPSG:4326, each labelled with its thresholds."""
    scenario = result.scenario
    frame = gpd.GeoDataFrame(
        {
            "name": [r.display_name for r in scenario.receptors],
            "thresholds": [r.thresholds_mg_per_l for r in scenario.receptors],
        },
        geometry=[r.geometry for r in scenario.receptors],
        crs=scenario.crs,
    ).to_crs(4326)

    def properties(row: Any) -> dict[str, Any]:
        levels = " and ".join(f"{t:g}" for t in row["thresholds"])
        return {"label": f"Receptor {row['name']}: thresholds {levels} mg/L"}

    return feature_collection(
        frame,
        properties,
        sort_by=("name",),
        decimals=ISOCHRONE_DECIMALS,
        simplify_deg=0.0005,
        where=f"receptors of {scenario.name}",
    )


def write_plume_data(result: PlumeResult, folder: Path, site: Path) -> tuple[PlumeFrames, int]:
    """Write the overlay images and :data:`PLUME_DATA` into the page's ``folder``."""
    frames = write_plume_images(result, folder)
    start = _start_frame(result, frames)
    data = {
        "bounds": [list(corner) for corner in frames.bounds],
        "start": start,
        "frames": [
            {"label": frame.label, "image": frame.image, "isochrones": isochrones}
            for frame, isochrones in zip(frames.frames, _isochrones(result, frames), strict=True)
        ],
    }
    data["receptors"] = _receptors(result)
    target = (folder / PLUME_DATA).relative_to(site).as_posix()
    write_data_file(site, target, "atlasPlumeData", data)
    return frames, start


def _receptors_figure(result: PlumeResult, folder: Path) -> Figure:
    scenario = result.scenario
    series = receptor_series(result)
    times = np.asarray(scenario.output_times_yr, dtype=float)
    at_outputs = series.reindex(series.index.union(pd.Index(times))).interpolate("index").loc[times]
    years, axis = year_axis(scenario, times)
    names = [scenario.receptor(r).display_name for r in series.columns]
    thresholds = " and ".join(f"{t:g}" for t in sorted(set(scenario.thresholds_mg_per_l)))
    peaks = "; ".join(
        f"{name}: highest {series[r].max():.3g} mg/L"
        for name, r in zip(names, series.columns, strict=True)
    )
    return Figure(
        file=write_svg(receptor_chart(result), folder, "receptors.svg"),
        title="Modelled concentration at each receptor",
        alt=(
            f"Line chart, logarithmic scale: the modelled highest concentration (mg/L) at "
            f"{', '.join(names)} against the {axis}, from {frame_label(scenario.start_year, 0)} "
            f"to {frame_label(scenario.start_year, scenario.horizon_yr)}, with the thresholds "
            f"{thresholds} mg/L as dashed lines. {peaks}. "
            f"{result_sentence(result)}"
        ),
        sources=(
            f"MODELLED by this atlas from the scenario {scenario.name} (its parameters and "
            "their sources are listed on this page); the series is receptor_concentration of "
            "concentration.nc, recorded every "
            f"{scenario.arrival_resolution_yr:g} yr",
        ),
        columns=(axis, *(f"{name} (mg/L)" for name in names)),
        rows=table_rows(
            [
                (f"{year:g}", *(float(v) for v in row))
                for year, row in zip(years, at_outputs.to_numpy(), strict=True)
            ]
        ),
        modelled=True,
    )


def _ensemble_figure(ensemble: EnsembleResult, folder: Path) -> Figure:
    scenario = ensemble.scenario
    times = np.asarray(scenario.output_times_yr, dtype=float)
    table = arrival_probability(ensemble, times)
    years, axis = year_axis(scenario, times)
    return Figure(
        file=write_svg(arrival_probability_chart(ensemble), folder, "arrival_probability.svg"),
        title="Modelled probability of arrival (ensemble)",
        alt=(
            f"Step chart: for each receptor and threshold, the share of the {ensemble.kept} "
            f"kept realizations in which it has arrived, from 0 to 1, against the {axis}. "
            + "; ".join(
                f"{column}: {table[column].iloc[-1]:.0%} by "
                f"{frame_label(scenario.start_year, times[-1])}"
                for column in table.columns
            )
            + "."
        ),
        sources=(
            f"MODELLED by this atlas: {ensemble.count} realizations of {scenario.name} "
            f"(seed {ensemble.seed}), {ensemble.kept} kept; the priors and their sources are "
            "in ensemble_summary.json",
        ),
        columns=(axis, *table.columns),
        rows=table_rows(
            [
                (f"{year:g}", *(f"{v:.0%}" for v in row))
                for year, row in zip(years, table.to_numpy(), strict=True)
            ]
        ),
        modelled=True,
    )


def observed_on_grid(observations: gpd.GeoDataFrame, result: PlumeResult) -> tuple[Observed, ...]:
    """The observations located on the result's grid, by name."""
    grid = result.scenario.grid
    located = observations[observations.geometry.notna() & ~observations.geometry.is_empty]
    inside = located.to_crs(grid.crs).covered_by(grid.box)
    rows = located[inside.to_numpy()]
    observed = [
        Observed(
            name=text_of(row.get("name")) or "(unnamed observation)",
            period=text_of(row.get("period")) or "date not given",
            result=text_of(row.get("result")) or "",
            source=text_of(row.get("source")) or "",
        )
        for _, row in rows.iterrows()
    ]
    return tuple(sorted(observed, key=lambda o: o.name.casefold()))


def scenario_view(
    result: PlumeResult,
    plume: PlumeView,
    *,
    folder: str,
    site: Path,
    ensemble: EnsembleResult | None = None,
) -> ScenarioView:
    """Write a scenario page's files into ``site/<folder>`` and return what it shows.

    Parameters
    ----------
    result : PlumeResult
        The scenario's deterministic run (it must move solute).
    plume : PlumeView
        Its facts and downloads (:func:`~.plume_tables.plume_view`).
    folder : str
        The page's folder in the site, ``scenarios/<slug>``.
    site : pathlib.Path
        The (staged) site folder.
    ensemble : EnsembleResult, optional
        The scenario's ensemble: its probability of arrival and P5-P95 range are shown.
    """
    path = site.joinpath(*folder.split("/"))
    frames, start = write_plume_data(result, path, site)
    return ScenarioView(
        name=result.name,
        title=result.scenario.display_title,
        folder=folder,
        description=result.scenario.description,
        sentence=result_sentence(result, ensemble),
        frames=frames,
        start=start,
        receptors_figure=_receptors_figure(result, path),
        ensemble_figure=None if ensemble is None else _ensemble_figure(ensemble, path),
        assumptions=result.assumptions,
        ensemble_assumptions=() if ensemble is None else ensemble.assumptions,
        plume=plume,
        verdicts=_verdicts(ensemble),
    )


def _verdicts(ensemble: EnsembleResult | None) -> tuple[str, ...]:
    """How many realizations the observations kept, and the verdict on each claim."""
    constraint = None if ensemble is None else ensemble.constraint
    if constraint is None:
        return ()
    return (constraint.sentence(), *(claim.sentence for claim in constraint.claims))


def claim_check(
    view: ScenarioView,
    tables: Sequence[PlumeTable],
    views: Sequence[ScenarioView],
    observed: tuple[Observed, ...],
    nearby: Sequence[str] = (),
) -> ClaimCheck | None:
    """The scenarios shown beside ``view``: those of its grid
    (:func:`~.plume_tables.plume_tables`) and the ``nearby`` ones (names of scenarios whose
    grid overlaps it and whose ensemble observations constrain), with their sentences and
    verdicts, and the observations on the grid; None when it stands alone."""
    table = next((t for t in tables if view.name in {p.name for p in t.projections}), None)
    names = [p.name for p in table.projections] if table is not None else [view.name]
    names += [name for name in nearby if name not in names]
    if len(names) < 2:
        return None
    by_name = {v.name: v for v in views}
    scenarios = tuple(by_name[name] for name in names if name in by_name)
    shown = table if table is not None and len(table.projections) > 1 else None
    return ClaimCheck(shown, scenarios, observed)
