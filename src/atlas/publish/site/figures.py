"""Charts of the site's pages: a static SVG drawn at build time, its alt text, its sources and
the table of its data.

A page shows a :class:`Figure` with the ``figure`` macro of ``templates/figures.html``: the
SVG as an image with its alt text, a caption with the sources, and the data behind a "data"
toggle (``<details>``), so every number drawn can be read, and copied, as text. Everything
here is plain text; the template escapes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure as MatplotlibFigure

from atlas.publish.charts import svg_text
from atlas.publish.site.plume_facts import plain_number

__all__ = ["Figure", "table_rows", "write_svg"]


@dataclass(frozen=True)
class Figure:
    """A chart of a page.

    Attributes
    ----------
    file : str
        The SVG's file name, relative to the page.
    title : str
        Heading of the chart.
    alt : str
        What the chart shows, in words, for a reader who cannot see it.
    sources : tuple of str
        Where its numbers come from.
    columns : tuple of str
        Headers of the data table.
    rows : tuple of tuple of str
        The data table, one tuple of cell texts per row.
    modelled : bool
        The chart shows modelled numbers (the page labels it MODELLED).
    """

    file: str
    title: str
    alt: str
    sources: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    modelled: bool = False

    @property
    def key(self) -> str:
        """An id for the page's elements: the file name without its suffix."""
        return Path(self.file).stem


def write_svg(figure: MatplotlibFigure, folder: Path, name: str) -> str:
    """Write ``figure`` as the SVG ``folder/name`` (same bytes every build); return ``name``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(svg_text(figure), encoding="utf-8", newline="\n")
    return name


def table_rows(values: Sequence[Sequence[object]]) -> tuple[tuple[str, ...], ...]:
    """Cells as text: numbers with 3 significant digits (thousands separated), None and NaN
    as "-"."""

    def cell(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return "-" if value != value else plain_number(value)
        return str(value)

    return tuple(tuple(cell(v) for v in row) for row in values)
