"""Checks of the numbers given to :mod:`atlas.plume`: one wording for every function."""

from __future__ import annotations

import math

from atlas.errors import AtlasError, Problem

__all__ = ["check", "finite", "nonnegative", "positive"]


def finite(value: float) -> bool:
    """True for a finite int or float (not a bool-like string or array)."""
    return isinstance(value, int | float) and math.isfinite(value)


def check(problems: list[Problem], where: str, ok: bool, message: str, fix: str = "") -> None:
    """Append a located problem to ``problems`` unless ``ok``."""
    if not ok:
        problems.append(Problem(where, message, fix))


def positive(name: str, value: float) -> float:
    """``value`` as a float; AtlasError naming ``name`` unless it is finite and > 0."""
    if not (math.isfinite(value) and value > 0):
        raise AtlasError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def nonnegative(name: str, value: float) -> float:
    """``value`` as a float; AtlasError naming ``name`` unless it is finite and >= 0."""
    if not (math.isfinite(value) and value >= 0):
        raise AtlasError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)
