"""Quicklook pictures of a result for researchers: PNG maps and charts made with matplotlib.

Files (all modelled, and labelled so, with the scenario's inputs hash):

* ``quicklook_<k>_<t>yr.png`` — the modelled concentration at output time k, in the classes of
  :func:`atlas.publish.ramp.concentration_ramp`, in the scenario's projected CRS, over the
  source outline, the receptors, and (when given) the tailings ponds, rivers and observations
  of the data root; with a scale bar, a north arrow and a legend in mg/L.
* ``quicklook_receptors.png`` — the concentration at each receptor against the year, with
  the thresholds (:func:`atlas.publish.charts.receptor_chart`).

An ensemble writes ``quicklook_arrival_probability.png`` instead
(:func:`atlas.publish.charts.arrival_probability_chart`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from shapely.geometry.base import BaseGeometry

from atlas.load import Layers
from atlas.load.layers import read_layer
from atlas.publish.charts import footer, new_figure, plain, receptor_chart, save_png
from atlas.publish.ramp import concentration_ramp
from atlas.result import PlumeResult
from atlas.scenario import HeadDrivenFlow, Scenario

__all__ = [
    "RECEPTOR_CHART",
    "Surroundings",
    "quicklook_map",
    "quicklook_names",
    "read_surroundings",
    "surroundings_of",
    "write_quicklooks",
]

RECEPTOR_CHART = "quicklook_receptors.png"
"""File name of the receptor chart of a result."""

RIVER_COLOUR = "#2b7bba"
POND_COLOUR = "#7a4a00"
RECEPTOR_COLOUR = "#d55e00"
OBSERVATION_COLOUR = "#000000"


@dataclass(frozen=True)
class Surroundings:
    """Layers of the data root drawn under a quicklook map, in EPSG:4326 (may be empty).

    Attributes
    ----------
    tailings_pond, rivers, observations : geopandas.GeoDataFrame
        The ``tailings_pond``, ``rivers_10m`` and ``observations`` layers.
    """

    tailings_pond: gpd.GeoDataFrame
    rivers: gpd.GeoDataFrame
    observations: gpd.GeoDataFrame


def surroundings_of(layers: Layers) -> Surroundings:
    """The :class:`Surroundings` among already loaded ``layers``."""
    return Surroundings(layers.tailings_pond, layers.rivers_10m, layers.observations)


def read_surroundings(root: str | os.PathLike[str]) -> Surroundings:
    """The :class:`Surroundings` read from the data root's ``layers/``."""
    return Surroundings(
        read_layer("tailings_pond", root),
        read_layer("rivers_10m", root),
        read_layer("observations", root),
    )


def quicklook_names(scenario: Scenario) -> list[str]:
    """The quicklook files of a result of ``scenario``: one map per output time, then the
    receptor chart; none for a flow-only scenario."""
    if not scenario.sources and scenario.initial is None:
        return []
    maps = [f"quicklook_{k:02d}_{t:g}yr.png" for k, t in enumerate(scenario.output_times_yr)]
    return [*maps, RECEPTOR_CHART]


def _near(frame: gpd.GeoDataFrame, scenario: Scenario) -> gpd.GeoSeries:
    """The located geometries of ``frame`` in the scenario CRS, clipped to its grid."""
    located = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if located.empty:
        return gpd.GeoSeries([], crs=scenario.crs)
    projected = located.to_crs(scenario.crs).geometry
    clipped = projected.clip_by_rect(*scenario.grid.bounds_m)
    return clipped[~clipped.is_empty]


def _draw(axes: Axes, geometries: Iterable[BaseGeometry], **style: Any) -> None:
    """Draw polygons by their outline and lines as lines (the ``marker*`` keys of ``style``
    ignored), points as markers."""
    line_style = {key: value for key, value in style.items() if not key.startswith("marker")}
    for geometry in geometries:
        for part in shapely.get_parts(geometry):
            if isinstance(part, shapely.Point):
                axes.plot(part.x, part.y, linestyle="none", **style)
                continue
            outline = part.boundary if isinstance(part, shapely.Polygon) else part
            for line in shapely.get_parts(outline):
                x, y = np.asarray(line.coords).T[:2]
                axes.plot(x, y, **line_style)


def _nice_length_m(width_m: float) -> float:
    """A round scale-bar length near a fifth of ``width_m``: 1, 2 or 5 times a power of ten."""
    target = width_m / 5.0
    power = 10.0 ** math.floor(math.log10(target))
    return max(step * power for step in (1.0, 2.0, 5.0) if step * power <= target)


def _scale_bar_and_north(axes: Axes, scenario: Scenario) -> None:
    x0, y0, x1, y1 = scenario.grid.bounds_m
    length = _nice_length_m(x1 - x0)
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    height = 0.012 * (y1 - y0)
    axes.fill_between([left, left + length], base, base + height, color="black", zorder=5)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    axes.text(left + length / 2, base + 2 * height, text, ha="center", va="bottom", zorder=5)
    tip = (x1 - 0.06 * (x1 - x0), y1 - 0.05 * (y1 - y0))
    axes.annotate(
        "N",
        xy=tip,
        xytext=(tip[0], tip[1] - 0.12 * (y1 - y0)),
        ha="center",
        va="top",
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
        zorder=5,
    )


def _layer_handles(drawn: dict[str, bool]) -> list[Line2D | Patch]:
    styles = {
        "tailings pond / source": {"color": POND_COLOUR, "linewidth": 1.6},
        "river (Natural Earth 1:10m)": {"color": RIVER_COLOUR, "linewidth": 1.2},
        "receptor": {"color": RECEPTOR_COLOUR, "linewidth": 2.0, "marker": "s"},
        "observation (measured; location may be approximate)": {
            "color": OBSERVATION_COLOUR,
            "marker": "o",
            "linestyle": "none",
            "markerfacecolor": "#ffff33",
        },
    }
    return [Line2D([], [], label=label, **styles[label]) for label, on in drawn.items() if on]  # type: ignore[arg-type]


def quicklook_map(result: PlumeResult, k: int, surroundings: Surroundings | None) -> Figure:
    """The map of the modelled concentration at output time ``k`` (see the module docstring)."""
    scenario = result.scenario
    grid = scenario.grid
    ramp = concentration_ramp(scenario.thresholds_mg_per_l)
    concentration = result.dataset["concentration"].isel(time_yr=k)
    time_yr = float(concentration["time_yr"])
    figure = new_figure(10.0, 7.0)
    axes = figure.axes[0]
    classes = ramp.classify(concentration.values).astype(float)
    axes.imshow(
        np.ma.masked_less(classes, 0),
        extent=(grid.x_min_m, grid.x_max_m, grid.y_min_m, grid.y_max_m),
        origin="upper",
        cmap=ListedColormap(list(ramp.colours)),
        norm=BoundaryNorm(np.arange(len(ramp.colours) + 1) - 0.5, len(ramp.colours)),
        interpolation="nearest",
        zorder=1,
    )
    drawn = {
        "tailings pond / source": bool(scenario.sources),
        "river (Natural Earth 1:10m)": False,
        "receptor": bool(scenario.receptors),
        "observation (measured; location may be approximate)": False,
    }
    if surroundings is not None:
        rivers = _near(surroundings.rivers, scenario)
        _draw(axes, rivers, color=RIVER_COLOUR, linewidth=1.2, zorder=2)
        _draw(axes, _near(surroundings.tailings_pond, scenario), color=POND_COLOUR, zorder=3)
        observed = _near(surroundings.observations, scenario)
        _draw(
            axes,
            observed,
            color=OBSERVATION_COLOUR,
            marker="o",
            markerfacecolor="#ffff33",
            markersize=6,
            zorder=6,
        )
        drawn["river (Natural Earth 1:10m)"] = not rivers.empty
        drawn["observation (measured; location may be approximate)"] = not observed.empty
    if isinstance(scenario.flow, HeadDrivenFlow) and surroundings is None:
        fixed = [head.geometry for head in scenario.flow.fixed_heads]
        _draw(axes, fixed, color=RIVER_COLOUR, linewidth=1.0, zorder=2)
    _draw(axes, [s.geometry for s in scenario.sources], color=POND_COLOUR, linewidth=1.6, zorder=3)
    for receptor in scenario.receptors:
        _draw(
            axes,
            [receptor.geometry],
            color=RECEPTOR_COLOUR,
            linewidth=2.0,
            marker="s",
            markersize=6,
            zorder=4,
        )
    _scale_bar_and_north(axes, scenario)
    axes.set_xlim(grid.x_min_m, grid.x_max_m)
    axes.set_ylim(grid.y_min_m, grid.y_max_m)
    axes.set_aspect("equal")
    axes.ticklabel_format(style="plain", useOffset=False)
    axes.tick_params(labelsize=7)
    crs = scenario.crs.to_string()
    axes.set_xlabel(f"easting (m, {crs})")
    axes.set_ylabel(f"northing (m, {crs})")
    start = scenario.start_year
    when = (
        f"{time_yr:g} yr after t = 0"
        if start is None
        else f"{math.floor(start + time_yr)} ({time_yr:g} yr after {start})"
    )
    axes.set_title(plain(f"{scenario.name}: MODELLED concentration, {when}"), loc="left")
    classes_handles = [
        Patch(facecolor=colour, label=label)
        for colour, label in zip(ramp.colours, ramp.labels(), strict=True)
    ]
    axes.legend(
        handles=[*reversed(classes_handles), *_layer_handles(drawn)],
        title="modelled concentration (mg/L)",
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        fontsize=7,
        title_fontsize=7.5,
        framealpha=0.9,
    )
    footer(figure, scenario, result.inputs_sha256)
    return figure


def write_quicklooks(
    result: PlumeResult, folder: Path, surroundings: Surroundings | None = None
) -> list[Path]:
    """Write the quicklook PNGs of ``result`` into ``folder``; return their paths.

    Parameters
    ----------
    result : PlumeResult
        The result drawn.
    folder : pathlib.Path
        An existing folder (the staged output folder of
        :func:`atlas.publish.outputs.write_result`).
    surroundings : Surroundings, optional
        Layers drawn under the maps; without them the maps show the scenario's own
        geometries only (sources, receptors, fixed heads).
    """
    names = quicklook_names(result.scenario)
    if not names:
        return []
    paths = [folder / name for name in names]
    for k, path in enumerate(paths[:-1]):
        save_png(quicklook_map(result, k, surroundings), path)
    save_png(receptor_chart(result), paths[-1])
    return paths
