"""The context page, ``context/index.html``: China's supply shares, trade figures and the
export-control timeline, drawn from the ``context_facts`` table.

Each chart is a static SVG rendered at build time with matplotlib (:mod:`atlas.publish.charts`,
the same bytes every build) and shown with its alt text, its sources and the rows it draws
behind a "data" toggle (:class:`~.figures.Figure`). Every value is a figure reported by the
publication named in its row, not a measurement or estimate of the atlas; a row whose value is
not a number (a range such as "10-20") is listed in the table but not drawn.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as MatplotlibFigure

from atlas.publish.charts import OKABE_ITO, new_figure, plain
from atlas.publish.site.figures import Figure, write_svg
from atlas.publish.site.pages import Chrome, render_page, write_page
from atlas.publish.site.popups import text_of

__all__ = ["CONTEXT_FOLDER", "context_figures", "write_context_page"]

CONTEXT_FOLDER = "context"
"""Folder of the context page in the site."""

COLUMNS = ("Statement", "Value", "Unit", "As of", "Source")
"""Columns of each chart's data table."""


def _rows(facts: pd.DataFrame, topics: Sequence[str], unit: str | None = None) -> pd.DataFrame:
    """Rows of ``facts`` on ``topics`` (and with a unit starting with ``unit``), in file order."""
    rows = facts[facts["topic"].isin(topics)]
    if unit is not None:
        rows = rows[rows["unit"].astype(str).str.startswith(unit)]
    return rows


def _number(value: object) -> float:
    """The value as a number; NaN when it is not one (a range, a date, empty)."""
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return float("nan")


def _sources(rows: pd.DataFrame) -> tuple[str, ...]:
    """Every source of ``rows``, each once, in order, with what it cites."""
    seen: dict[str, None] = {}
    for _, row in rows.iterrows():
        cites = text_of(row.get("source_cites"))
        source = text_of(row.get("source")) or "no source given"
        seen.setdefault(source + (f" (citing {cites})" if cites else ""), None)
    return tuple(seen)


def _table(rows: pd.DataFrame) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(
            text_of(row.get(column)) or "-"
            for column in ("statement", "value", "unit", "as_of", "source")
        )
        for _, row in rows.iterrows()
    )


def _bars(rows: pd.DataFrame, axis_label: str, title: str) -> MatplotlibFigure:
    """Horizontal bars, one per row with a number, labelled with its statement and value."""
    drawn = rows[np.isfinite([_number(v) for v in rows["value"]])]
    figure = new_figure(8.0, 0.8 + 0.55 * max(len(drawn), 1))
    axes = figure.axes[0]
    labels = [plain(textwrap.fill(str(s), 48)) for s in drawn["statement"]]
    values = [_number(v) for v in drawn["value"]]
    positions = np.arange(len(values))[::-1]
    axes.barh(positions, values, color=OKABE_ITO[0], height=0.6)
    for y, value, unit in zip(positions, values, drawn["unit"], strict=True):
        axes.annotate(
            plain(f"{value:,.0f} {unit}"),
            (value, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_yticks(positions, labels, fontsize=7.5)
    axes.set_xlim(0, max(values, default=1.0) * 1.45)  # room for the value labels
    if all(str(unit).startswith("percent") for unit in drawn["unit"]):
        axes.set_xticks(np.arange(0, 101, 20))  # no share beyond 100 % on the axis
    axes.set_xlabel(axis_label)
    axes.set_title(plain(title), loc="left")
    return figure


def _timeline(rows: pd.DataFrame) -> MatplotlibFigure:
    """The export controls as points on a time axis, each labelled with its date and what
    it controls."""
    dates = pd.to_datetime(rows["value"].astype(str), format="mixed", errors="coerce")
    shown = rows[dates.notna().to_numpy()].assign(date=dates[dates.notna()])
    shown = shown.sort_values("date", kind="stable")
    figure = new_figure(8.0, 0.9 + 0.45 * max(len(shown), 1))
    axes = figure.axes[0]
    positions = np.arange(len(shown))[::-1]
    axes.scatter(shown["date"], positions, color=OKABE_ITO[1], zorder=3)
    axes.hlines(positions, shown["date"].min(), shown["date"], color="#dddddd", zorder=1)
    labels = [
        plain(textwrap.fill(f"{row['value']}: {row['statement']}", 56))
        for _, row in shown.iterrows()
    ]
    axes.set_yticks(positions, labels, fontsize=7)
    axes.set_title("Export controls announced or in force, by date", loc="left")
    return figure


def _alt(kind: str, rows: pd.DataFrame) -> str:
    items = "; ".join(
        f"{text_of(row.get('statement'))}: {text_of(row.get('value'))} {text_of(row.get('unit'))}"
        for _, row in rows.iterrows()
    )
    return f"{kind}. {items}."


def context_figures(facts: pd.DataFrame, folder: Path) -> tuple[Figure, ...]:
    """Draw the context charts into ``folder`` and return them (see the module docstring)."""
    shares = _rows(facts, ("supply share", "reserves"), unit="percent")
    tonnes = _rows(facts, ("trade",), unit="tonnes")
    falls = _rows(facts, ("trade",), unit="percent")
    controls = _rows(facts, ("export control",))
    charts = (
        (
            "shares.svg",
            "China's share of world supply",
            "Bar chart of China's reported shares of rare-earth (and tungsten) mining, "
            "processing, output and reserves, in percent",
            shares,
            _bars(shares, "percent of the world total", "China's share of world supply"),
        ),
        (
            "trade_tonnes.svg",
            "Exports in tonnes",
            "Bar chart of reported Chinese export volumes in tonnes",
            tonnes,
            _bars(tonnes, "tonnes", "Reported Chinese exports (tonnes)"),
        ),
        (
            "trade_falls.svg",
            "Falls in exports since January 2025",
            "Bar chart of the reported fall of Chinese exports since January 2025, in percent",
            falls,
            _bars(falls, "percent fall", "Fall in Chinese exports since January 2025"),
        ),
        (
            "export_controls.svg",
            "The export-control timeline",
            "Timeline of Chinese export controls, from the earliest to the latest",
            controls,
            _timeline(controls),
        ),
    )
    return tuple(
        Figure(
            file=write_svg(figure, folder, name),
            title=title,
            alt=_alt(kind, rows),
            sources=_sources(rows),
            columns=COLUMNS,
            rows=_table(rows),
        )
        for name, title, kind, rows, figure in charts
        if not rows.empty
    )


def write_context_page(site: Path, facts: pd.DataFrame, *, sections: frozenset[str]) -> Path:
    """Write ``context/index.html`` and its charts into the (staged) site folder ``site``."""
    chrome = Chrome(
        folder=CONTEXT_FOLDER,
        title="Context: supply, trade and export controls",
        section="context",
        sections=sections,
        summary="China's shares of rare-earth supply, trade figures and the export-control "
        "timeline, as reported in the press; every figure with its source.",
    )
    figures = context_figures(facts, site / CONTEXT_FOLDER)
    return write_page(site, chrome, render_page("context.html", chrome, figures=figures))
