"""The colour ramp of modelled concentrations: classes bounded by the scenario's thresholds.

One ramp serves every picture of a plume: the quicklook maps
(:mod:`atlas.publish.outputs.quicklook`), the filled overlay of the scenario page
(:mod:`atlas.publish.site.plume_images`) and the colour of its isochrones. Its class edges are
the receptors' thresholds, so the edge of a filled class is exactly the isochrone of that
threshold (C >= threshold), and one class more below the lowest threshold (down to a tenth of
it) shows the faint fringe. Colours are sampled from viridis (perceptually uniform, readable
with the common colour-vision deficiencies and in grey), darker for higher concentrations.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps

__all__ = ["FRINGE_FACTOR", "OVERLAY_ALPHA", "ConcentrationRamp", "concentration_ramp"]

FRINGE_FACTOR = 0.1
"""The lowest class starts at this fraction of the lowest threshold."""

OVERLAY_ALPHA = 180
"""Opacity (0-255) of the filled classes in the overlay images: the basemap shows through."""


@dataclass(frozen=True)
class ConcentrationRamp:
    """Classes of concentration (mg/L) and their colours.

    Attributes
    ----------
    edges_mg_per_l : tuple of float
        Increasing lower edges of the classes; the last class has no upper edge.
    colours : tuple of str
        ``#rrggbb`` colour of each class, as many as edges.
    """

    edges_mg_per_l: tuple[float, ...]
    colours: tuple[str, ...]

    def labels(self) -> tuple[str, ...]:
        """A plain label of each class in mg/L: ``"2.5-25 mg/L"``, ..., ``"≥ 250 mg/L"``."""
        edges = self.edges_mg_per_l
        ranges = [f"{low:g}-{high:g} mg/L" for low, high in itertools.pairwise(edges)]
        return (*ranges, f"≥ {edges[-1]:g} mg/L")

    def classify(self, values_mg_per_l: np.ndarray) -> np.ndarray:
        """The class of each value (0 for the lowest), -1 below the lowest edge or NaN."""
        values = np.asarray(values_mg_per_l, dtype=float)
        classes = np.searchsorted(np.asarray(self.edges_mg_per_l), values, side="right") - 1
        return np.where(np.isfinite(values), classes, -1)

    def rgba(self, values_mg_per_l: np.ndarray, *, alpha: int = OVERLAY_ALPHA) -> np.ndarray:
        """An RGBA image (uint8, shape ``values.shape + (4,)``) of the classes of the values;
        transparent below the lowest edge and where NaN."""
        return self.class_rgba(self.classify(values_mg_per_l), alpha=alpha)

    def class_rgba(self, classes: np.ndarray, *, alpha: int = OVERLAY_ALPHA) -> np.ndarray:
        """An RGBA image (uint8) of class indices (:meth:`classify`); -1 is transparent."""
        table = np.zeros((len(self.colours) + 1, 4), dtype=np.uint8)
        for k, colour in enumerate(self.colours):
            table[k] = (*(int(colour[i : i + 2], 16) for i in (1, 3, 5)), alpha)
        return table[np.asarray(classes)]  # -1 takes the transparent last row

    def colour_of(self, threshold_mg_per_l: float) -> str:
        """The colour of the class that starts at ``threshold_mg_per_l`` (an isochrone's)."""
        return self.colours[int(self.classify(np.array([threshold_mg_per_l]))[0])]


def concentration_ramp(thresholds_mg_per_l: Iterable[float]) -> ConcentrationRamp:
    """The ramp of a scenario's thresholds (mg/L, any order, repeats ignored).

    Parameters
    ----------
    thresholds_mg_per_l : iterable of float
        The receptors' thresholds; when there is none, one decade per class from 0.1 mg/L to
        100 mg/L stands in.

    Returns
    -------
    ConcentrationRamp
        Edges: a tenth of the lowest threshold, then every threshold.
    """
    thresholds = sorted({float(t) for t in thresholds_mg_per_l if t > 0}) or [1.0, 10.0, 100.0]
    edges = (thresholds[0] * FRINGE_FACTOR, *thresholds)
    positions = np.linspace(0.9, 0.1, len(edges))  # light yellow-green -> dark purple
    cmap = colormaps["viridis"]
    colours = tuple("#" + "".join(f"{round(255 * c):02x}" for c in cmap(p)[:3]) for p in positions)
    return ConcentrationRamp(edges, colours)
