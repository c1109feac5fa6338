"""Checks of the numbers given to :mod:`atlas.plume`: one wording for every function.

A bad number raises :class:`atlas.errors.ParameterError` naming the quantity and its unit; the
unit is read from the name's suffix (``thickness_m`` is in m, ``decay_per_yr`` in 1/yr).
"""

from __future__ import annotations

import math

from atlas.errors import ParameterError, Problem

__all__ = ["check", "finite", "nonnegative", "positive", "unit_of"]

_SUFFIX_UNITS = (
    ("_m2_per_yr", "m^2/yr"),
    ("_m_per_yr", "m/yr"),
    ("_m_per_day", "m/day"),
    ("_kg_per_yr", "kg/yr"),
    ("_mg_per_l", "mg/L"),
    ("_per_yr", "1/yr"),
    ("_deg", "degrees"),
    ("_yr", "yr"),
    ("_kg", "kg"),
    ("_m", "m"),
)


def unit_of(name: str) -> str:
    """The unit of a quantity from its name's suffix, e.g. ``"m/yr"`` for ``velocity_m_per_yr``;
    ``"dimensionless"`` for a name without a unit suffix (porosity, retardation)."""
    for suffix, unit in _SUFFIX_UNITS:
        if name.endswith(suffix):
            return unit
    return "dimensionless"


def finite(value: float) -> bool:
    """True for a finite int or float (not a bool-like string or array)."""
    return isinstance(value, int | float) and math.isfinite(value)


def check(problems: list[Problem], where: str, ok: bool, message: str, fix: str = "") -> None:
    """Append a located problem to ``problems`` unless ``ok``."""
    if not ok:
        problems.append(Problem(where, message, fix))


def positive(name: str, value: float) -> float:
    """``value`` as a float; ParameterError naming ``name`` and its unit unless finite and > 0."""
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(f"{name} must be a finite number > 0 ({unit_of(name)}), got {value!r}")
    return float(value)


def nonnegative(name: str, value: float) -> float:
    """``value`` as a float; ParameterError naming ``name`` and its unit unless finite and >= 0."""
    if not (math.isfinite(value) and value >= 0):
        raise ParameterError(
            f"{name} must be a finite number >= 0 ({unit_of(name)}), got {value!r}"
        )
    return float(value)
