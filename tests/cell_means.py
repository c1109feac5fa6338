"""Analytic solutions averaged over square cells, as a finite-volume model holds them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def cell_average(function: Callable, x, y, dx: float, points: int):
    """Mean of ``function(x, y)`` over the square cells of side ``dx`` centred on ``x, y``
    (midpoint rule on ``points`` x ``points`` samples; with an even count no sample falls on
    the centre, where a point source's solution is singular but integrable)."""
    offsets = ((np.arange(points) + 0.5) / points - 0.5) * dx
    return sum(function(x + a, y + b) for a in offsets for b in offsets) / points**2
