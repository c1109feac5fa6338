"""QGIS styles (QML) of the exported layers: drawn as on the site.

Curated sites get the site's symbols (:mod:`atlas.publish.site.legend`: the same fills, outline
and shapes per group of kinds), isochrones a ramp over the thresholds with the lowest one
dashed and unfilled as on the map, the pond its dashed orange outline; rasters a colour ramp
(concentration from transparent 0 through the scenario's thresholds to its maximum; heads and
speeds over their range; probability over 0-1). Documents come from ``templates/vector.qml``
and ``templates/raster.qml``; every value is escaped there. Probability isochrones get a
ramp over their levels, the screening's sites a class by their chance of reaching water
within 100 years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas.publish.outputs.export_layers import ExportLayer, ExportRaster
from atlas.publish.outputs.xml import render_xml
from atlas.publish.site.legend import OTHER, OUTLINE, SYMBOLS

__all__ = ["QGIS_VERSION", "raster_qml", "vector_qml"]

QGIS_VERSION = "3.22.0"
"""The QGIS version the styles are written for (Debian 12's QGIS; later versions read them)."""

_SHAPES = {
    "triangle": "triangle",
    "square": "square",
    "diamond": "diamond",
    "circle": "circle",
    "ring": "circle",
    "cross": "cross_fill",
}
"""QGIS simple-marker names of the site's shapes (a ring is a white circle, thick outline)."""

_ISOCHRONE_RAMP = ("#fed976", "#fd8d3c", "#e31a1c", "#800026")
_CONCENTRATION_RAMP = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
_HEAD_RAMP = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")
_SPEED_RAMP = ("#fcfbfd", "#dadaeb", "#9e9ac8", "#6a51a3", "#3f007d")
_PROBABILITY_RAMP = ("#f7f7f7", "#d9f0d3", "#a6dba0", "#5aae61", "#1b7837")


@dataclass(frozen=True)
class SymbolLayer:
    """One QGIS symbol layer: its class (``SimpleMarker``, ``SimpleLine``, ``SimpleFill``)
    and its options."""

    cls: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Symbol:
    """A QGIS symbol: ``marker``, ``line`` or ``fill``, of one symbol layer."""

    kind: str
    layer: SymbolLayer


@dataclass(frozen=True)
class Category:
    """A category of a categorised renderer: the value, its legend label, its symbol."""

    value: str
    label: str
    symbol: Symbol


def _rgba(colour: str, alpha: float = 1.0) -> str:
    """``#rrggbb`` as QGIS's ``r,g,b,a``."""
    r, g, b = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
    return f"{r},{g},{b},{round(alpha * 255)}"


def marker(
    shape: str,
    fill: str,
    *,
    size_mm: float = 3.0,
    outline_mm: float = 0.4,
    outline: str = OUTLINE,
    dashed: bool = False,
) -> Symbol:
    """A simple marker of a QGIS shape name."""
    options = (
        ("name", shape),
        ("color", _rgba(fill)),
        ("outline_color", _rgba(outline)),
        ("outline_style", "dash" if dashed else "solid"),
        ("outline_width", f"{outline_mm:g}"),
        ("outline_width_unit", "MM"),
        ("size", f"{size_mm:g}"),
        ("size_unit", "MM"),
    )
    return Symbol("marker", SymbolLayer("SimpleMarker", options))


def line(colour: str, *, width_mm: float = 0.3, dashed: bool = False) -> Symbol:
    """A simple line."""
    options = (
        ("line_color", _rgba(colour)),
        ("line_style", "dash" if dashed else "solid"),
        ("line_width", f"{width_mm:g}"),
        ("line_width_unit", "MM"),
        ("capstyle", "round"),
        ("joinstyle", "round"),
    )
    return Symbol("line", SymbolLayer("SimpleLine", options))


def fill(
    colour: str,
    outline: str,
    *,
    alpha: float = 1.0,
    outline_mm: float = 0.26,
    dashed: bool = False,
    hollow: bool = False,
) -> Symbol:
    """A simple fill (``hollow``: outline only)."""
    options = (
        ("color", _rgba(colour, alpha)),
        ("style", "no" if hollow else "solid"),
        ("outline_color", _rgba(outline)),
        ("outline_style", "dash" if dashed else "solid"),
        ("outline_width", f"{outline_mm:g}"),
        ("outline_width_unit", "MM"),
    )
    return Symbol("fill", SymbolLayer("SimpleFill", options))


def _family(layer: ExportLayer) -> str:
    """``marker``, ``line`` or ``fill``: what the layer's geometries are drawn with."""
    types = set(layer.frame.geometry.dropna().geom_type)
    if any("Polygon" in t for t in types):
        return "fill"
    return "line" if any("Line" in t for t in types) else "marker"


def _any(family: str, colour: str, *, width_mm: float = 0.8, alpha: float = 0.25) -> Symbol:
    """One colour for any geometry family (receptors, sources)."""
    if family == "marker":
        return marker("star", colour, size_mm=4.0)
    if family == "line":
        return line(colour, width_mm=width_mm)
    return fill(colour, colour, alpha=alpha, outline_mm=width_mm)


def _qgis_number(value: float) -> str:
    """A number as QGIS writes a double as text (``10``, ``2.5``), to match categories."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _ramp(colours: Sequence[str], n: int) -> list[str]:
    """``n`` colours evenly along the ramp through ``colours`` (linear in RGB; darkest last,
    and the darkest alone for ``n == 1``)."""
    if n == 1:
        return [colours[-1]]
    rgb = np.array([[int(c[k : k + 2], 16) for k in (1, 3, 5)] for c in colours], dtype=float)
    along = np.linspace(0.0, len(colours) - 1.0, n)
    channels = [np.interp(along, np.arange(len(colours)), rgb[:, j]) for j in range(3)]
    return ["#" + "".join(f"{round(c[k]):02x}" for c in channels) for k in range(n)]


def _site_categories() -> list[Category]:
    categories = []
    for symbol in SYMBOLS:
        width = 0.8 if symbol.shape == "ring" else 0.4
        drawn = marker(_SHAPES[symbol.shape], symbol.fill, size_mm=4.0, outline_mm=width)
        categories += [Category(kind, f"{symbol.label}: {kind}", drawn) for kind in symbol.kinds]
    other = marker(_SHAPES[OTHER.shape], OTHER.fill, size_mm=4.0)
    return [*categories, Category("", OTHER.label, other)]


def _isochrone_categories(layer: ExportLayer) -> list[Category]:
    thresholds = sorted(set(layer.frame["threshold_mg_per_l"].astype(float)))
    categories = []
    for k, (threshold, colour) in enumerate(
        zip(thresholds, _ramp(_ISOCHRONE_RAMP, len(thresholds)), strict=True)
    ):
        lowest = k == 0
        symbol = fill(colour, colour, alpha=0.15, outline_mm=0.5, dashed=lowest, hollow=lowest)
        label = f">= {threshold:g} mg/L (MODELLED)"
        categories.append(Category(_qgis_number(threshold), label, symbol))
    return categories


def _probability_isochrone_categories(layer: ExportLayer) -> list[Category]:
    levels = sorted(set(layer.frame["probability"].astype(float)))
    return [
        Category(
            _qgis_number(level),
            f"P >= {level:g} (MODELLED)",
            fill(colour, colour, alpha=0.2, outline_mm=0.5, dashed=k == 0),
        )
        for k, (level, colour) in enumerate(
            zip(levels, _ramp(_PROBABILITY_RAMP[1:], len(levels)), strict=True)
        )
    ]


_SCREENING_CLASSES = (
    ("likely", 0.5, "#b2182b", "likely: P(reach within 100 yr) >= 0.5"),
    ("possible", 0.05, "#ef8a62", "possible: 0.05 <= P < 0.5"),
    ("unlikely", 0.0, "#67a9cf", "unlikely: P < 0.05"),
)
"""Classes of the screening layer by ``p_reach_100yr``: name, lower bound, colour, label
(a diverging red-blue scheme, readable with colour-blindness)."""


def _screening_classes() -> tuple[str, list[Category]]:
    cases = " ".join(
        f"WHEN \"p_reach_100yr\" >= {low:g} THEN '{name}'" for name, low, _, _ in _SCREENING_CLASSES
    )
    expression = f"CASE {cases} ELSE 'no water found' END"
    categories = [
        Category(name, label, marker("circle", colour, size_mm=2.4, outline_mm=0.3))
        for name, _, colour, label in _SCREENING_CLASSES
    ]
    grey = marker("circle", "#bdbdbd", size_mm=1.8, outline_mm=0.2)
    return expression, [*categories, Category("no water found", "no river or lake nearby", grey)]


def vector_qml(layer: ExportLayer) -> str | None:
    """The QML style of a vector layer; None for a table without geometry."""
    if not layer.has_geometry:
        return None
    expression, categories, single = "", [], None
    match layer.style:
        case "sites":
            expression, categories = 'lower(trim("kind"))', _site_categories()
        case "isochrones":
            expression, categories = "threshold_mg_per_l", _isochrone_categories(layer)
        case "probability_isochrones":
            expression, categories = "probability", _probability_isochrone_categories(layer)
        case "screening":
            expression, categories = _screening_classes()
        case "observations":
            expression = "if(\"location_is_approximate\", 'approximate', 'surveyed')"
            categories = [
                Category(
                    "approximate",
                    "approximate location",
                    marker("circle", "#F0E442", size_mm=3.2, outline_mm=0.6, dashed=True),
                ),
                Category(
                    "surveyed",
                    "surveyed location",
                    marker("circle", "#F0E442", size_mm=3.2, outline_mm=0.6),
                ),
            ]
        case "usgs_sites":
            single = marker("circle", "#009E73", size_mm=2.2, outline_mm=0.3)
        case "tailings_pond":
            single = fill("#fdb863", "#b35806", alpha=0.55, outline_mm=0.7, dashed=True)
        case "land":
            single = fill("#f2efe6", "#8c8c8c", outline_mm=0.2)
        case "receptors":
            single = _any(_family(layer), "#0b5394")
        case "sources":
            single = _any(_family(layer), "#b35806")
        case _:
            single = {
                "marker": marker("circle", "#4d4d4d", size_mm=1.4, outline_mm=0.2),
                "line": line("#2b6f9e", width_mm=0.3),
                "fill": fill("#c6dbea", "#2b6f9e", outline_mm=0.2),
            }[_family(layer)]
    return render_xml(
        "vector.qml",
        version=QGIS_VERSION,
        expression=expression,
        categories=categories,
        single=single,
    )


def _stops(raster: ExportRaster) -> list[tuple[float, str, float, str]]:
    """The colour-ramp items of a raster: (value, colour, alpha, label)."""
    low, high = raster.style_range
    if high <= low:
        high = low + 1.0
    if raster.style == "concentration":
        inner = [t for t in raster.stops if low < t < high]
        values = [low, *inner, high]
        colours = _ramp(_CONCENTRATION_RAMP, len(values))
        return [
            (v, c, 0.0 if k == 0 else 1.0, f"{v:g} {raster.units}")
            for k, (v, c) in enumerate(zip(values, colours, strict=True))
        ]
    if raster.style == "probability":
        low, high, colours = 0.0, 1.0, list(_PROBABILITY_RAMP)
    else:
        colours = list(_HEAD_RAMP if raster.style == "head" else _SPEED_RAMP)
    ramp = np.linspace(low, high, len(colours))
    return [
        (
            float(v),
            c,
            0.0 if raster.style == "probability" and k == 0 else 1.0,
            f"{float(v):.4g} {raster.units}",
        )
        for k, (v, c) in enumerate(zip(ramp, colours, strict=True))
    ]


def raster_qml(raster: ExportRaster) -> str:
    """The QML style of a raster: a pseudo-colour ramp of its one band."""
    stops = _stops(raster)
    return render_xml(
        "raster.qml",
        version=QGIS_VERSION,
        minimum=repr(stops[0][0]),
        maximum=repr(stops[-1][0]),
        items=[(repr(v), c, round(255 * a), label) for v, c, a, label in stops],
    )
