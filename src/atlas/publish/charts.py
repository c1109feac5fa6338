"""Charts of results drawn with matplotlib, saved as deterministic PNG or SVG.

The same figure serves a researcher's quicklook (PNG, :mod:`atlas.publish.outputs.quicklook`)
and the scenario page (SVG): the modelled concentration at each receptor against the year
with its thresholds drawn (:func:`receptor_chart`), and for an ensemble the probability that
each threshold has arrived at each receptor by a year (:func:`arrival_probability_chart`).
Figures are made without pyplot (no global state, safe in threads) with the Agg canvas; the
files carry no date or software version, and SVG ids are salted with a fixed string, so the
same result gives the same bytes.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.typing import RcKeyType

from atlas.ensemble.result import EnsembleResult, arrival_column
from atlas.result import MODELLED_LABEL, PlumeResult
from atlas.scenario import Scenario
from atlas.scenario.digest import inputs_sha256

__all__ = [
    "LINE_STYLES",
    "OKABE_ITO",
    "arrival_probability",
    "arrival_probability_chart",
    "footer",
    "new_figure",
    "plain",
    "receptor_chart",
    "receptor_series",
    "save_png",
    "svg_text",
    "year_axis",
]

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Line colours (Okabe-Ito, safe for the common colour-vision deficiencies)."""

LINE_STYLES = ("-", "--", "-.", ":")
"""Line styles, so lines differ by more than colour."""

PNG_DPI = 150
"""Resolution of PNG files, dots per inch."""

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "atlas",
    "svg.fonttype": "none",  # text stays text: smaller, selectable, read by screen readers
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def plain(text: str) -> str:
    """``text`` as matplotlib shows it literally: its dollar signs escaped, so that a name or
    a statement with two of them ("US$ 5 to US$ 10") is not read as mathematical notation,
    which would typeset it or, written badly, stop the build."""
    return text.replace("$", r"\$")


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure of that size (inches) on an Agg canvas, outside pyplot, with one set of axes
    (``figure.axes[0]``) styled by the chart settings."""
    with mpl.rc_context(_RC):
        figure = Figure(figsize=(width_in, height_in), layout="constrained")
        figure.add_subplot()
    FigureCanvasAgg(figure)
    return figure


def save_png(figure: Figure, path: Path) -> None:
    """Write ``figure`` as a PNG at :data:`PNG_DPI` without a software tag (same bytes)."""
    with mpl.rc_context(_RC):
        figure.savefig(path, format="png", dpi=PNG_DPI, metadata={"Software": None})


def svg_text(figure: Figure) -> str:
    """``figure`` as SVG text without date or creator, its ids salted (same bytes)."""
    buffer = io.StringIO()
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def footer(figure: Figure, scenario: Scenario, inputs_sha256: str) -> None:
    """Write the MODELLED label and the inputs' hash along the foot of ``figure``, below
    the axes (the layout keeps the lowest 9 % of the height free for it)."""
    engine = figure.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, 0.09, 1.0, 0.91))
    text = textwrap.fill(f"{MODELLED_LABEL}.", width=130)
    figure.text(
        0.01,
        0.005,
        plain(f"{text}\nScenario {scenario.name}, inputs SHA-256 {inputs_sha256}"),
        fontsize=6.5,
        va="bottom",
        ha="left",
        color="#333333",
    )


def year_axis(scenario: Scenario, times_yr: np.ndarray) -> tuple[np.ndarray, str]:
    """Calendar years of ``times_yr`` (years since t = 0) and the axis label; years since
    t = 0 when the scenario has no start year."""
    times_yr = np.asarray(times_yr, dtype=float)
    if scenario.start_year is None:
        return times_yr, "years since t = 0"
    return scenario.start_year + times_yr, "calendar year"


def receptor_series(result: PlumeResult) -> pd.DataFrame:
    """The modelled highest concentration in each receptor (mg/L), one column per receptor,
    indexed by ``time_yr`` (the arrival record, every ``arrival_resolution_yr``)."""
    series = result.dataset["receptor_concentration"]
    return pd.DataFrame(
        series.transpose("record_time_yr", "receptor").values,
        index=pd.Index(series["record_time_yr"].values, name="time_yr"),
        columns=[str(name) for name in series["receptor"].values],
    )


def receptor_chart(result: PlumeResult) -> Figure:
    """The modelled concentration at each receptor against the year, logarithmic, with each
    receptor's thresholds as dashed lines; labelled MODELLED with the inputs' hash."""
    scenario = result.scenario
    series = receptor_series(result)
    years, label = year_axis(scenario, series.index.to_numpy())
    thresholds = sorted(set(scenario.thresholds_mg_per_l)) or [1.0]
    floor = thresholds[0] / 100.0
    figure = new_figure(8.0, 4.6)
    axes = figure.axes[0]
    for k, receptor in enumerate(series.columns):
        values = series[receptor].to_numpy()
        shown = values > floor
        name = plain(scenario.receptor(receptor).display_name)
        axes.plot(
            years,
            np.where(shown, values, np.nan),
            color=OKABE_ITO[k % len(OKABE_ITO)],
            linestyle=LINE_STYLES[k % len(LINE_STYLES)],
            linewidth=1.8,
            label=name if shown.any() else f"{name}: below {floor:g} mg/L throughout, no line",
        )
    for threshold in thresholds:
        axes.axhline(threshold, color="#555555", linestyle=(0, (4, 3)), linewidth=0.9)
        axes.annotate(
            f"threshold {threshold:g} mg/L",
            (years[0], threshold),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=7.5,
            color="#333333",
        )
    top = max(float(np.nanmax(series.to_numpy(), initial=0.0)), thresholds[-1]) * 3.0
    axes.set(yscale="log", ylim=(floor, top), xlim=(years[0], years[-1]), xlabel=label)
    axes.set_ylabel("modelled highest concentration (mg/L)")
    axes.set_title(
        plain(f"{scenario.display_title}: MODELLED concentration at each receptor"), loc="left"
    )
    axes.grid(True, which="major", color="#dddddd", linewidth=0.6)
    if len(series.columns):
        axes.legend(loc="lower right", frameon=False, title="receptor")
    footer(figure, scenario, result.inputs_sha256)
    return figure


def arrival_probability(result: EnsembleResult, times_yr: np.ndarray) -> pd.DataFrame:
    """Probability over the kept realizations that each threshold has arrived at each
    receptor by each time: the share of arrival times <= t (never arrived counts as not).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``time_yr``; one column per receptor and threshold, named
        ``"<receptor display name> ≥ <threshold> mg/L"``, values in [0, 1].
    """
    realizations = result.realizations[result.realizations["kept"].astype(bool)]
    times_yr = np.asarray(times_yr, dtype=float)
    columns = {}
    for receptor in result.scenario.receptors:
        for threshold in receptor.thresholds_mg_per_l:
            arrivals = realizations[arrival_column(receptor.name, threshold)].to_numpy(float)
            arrived = np.sort(arrivals[np.isfinite(arrivals)])
            share = np.searchsorted(arrived, times_yr, side="right") / max(len(arrivals), 1)
            columns[f"{receptor.display_name} ≥ {threshold:g} mg/L"] = share
    return pd.DataFrame(columns, index=pd.Index(times_yr, name="time_yr"))


def arrival_probability_chart(result: EnsembleResult) -> Figure:
    """The modelled probability of arrival against the year, one line per receptor and
    threshold, over the kept realizations; labelled MODELLED with the inputs' hash."""
    scenario = result.scenario
    times_yr = np.linspace(0.0, scenario.horizon_yr, 601)
    table = arrival_probability(result, times_yr)
    years, label = year_axis(scenario, times_yr)
    figure = new_figure(8.0, 4.6)
    axes = figure.axes[0]
    for k, column in enumerate(table.columns):
        axes.step(
            years,
            table[column].to_numpy(),
            where="post",
            color=OKABE_ITO[k % len(OKABE_ITO)],
            linestyle=LINE_STYLES[k % len(LINE_STYLES)],
            linewidth=1.8,
            label=plain(column),
        )
    axes.set(ylim=(0.0, 1.02), xlim=(years[0], years[-1]), xlabel=label)
    axes.set_ylabel("modelled probability of arrival")
    axes.set_title(
        plain(
            f"{scenario.display_title}: MODELLED probability of arrival ({result.kept} of "
            f"{result.count} realizations kept)"
        ),
        loc="left",
    )
    axes.grid(True, color="#dddddd", linewidth=0.6)
    if len(table.columns):
        axes.legend(loc="lower right", frameon=False, title="receptor, threshold")
    footer(figure, scenario, inputs_sha256(scenario))
    return figure
