"""The ``[uncertainty]`` section: how many realizations, the seed, and a prior per parameter.

File format (keys under ``[uncertainty]``; see :mod:`atlas.scenario`)::

    [uncertainty]
    realizations = 500                 # > 0
    seed = 1                           # integer >= 0 (default 0)
    velocity_m_per_yr = {uniform = [20, 30]}
    longitudinal_dispersivity_m = {loguniform = [10, 100]}
    effective_porosity = {triangular = [0.15, 0.25, 0.35]}
    thickness_m = {normal = [30, 5], bounds = [10, 50]}        # mean, sd; bounds required
    half_life_yr = {lognormal = [50, 0.5]}           # median, sigma of ln; bounds optional
    retardation = 1.5                                          # a fixed value
    source.pond.concentration_mg_per_l = {uniform = [2000, 3000]}
    source.pond.leakage_mm_per_yr = {loguniform = [10, 1000]}   # the source must leak
    fixed_head.yellow_river.head_m = {uniform = [998, 1002]}
    correlations = [["velocity_m_per_yr", "longitudinal_dispersivity_m", 0.5]]   # rank

    [[uncertainty.claim]]                # optional: a claim the observations may rule out
    name = "seepage of 20-30 m/yr"
    parameter = "velocity_m_per_yr"      # a sampled parameter
    range = [20, 30]                     # in its units

Each prior replaces one field of the scenario in every realization; a prior on a parameter that
does not act in this scenario (a velocity under head-driven flow, a raster conductivity given as a
number) is a problem, as are an unknown distribution, a lower bound above the upper one, and a
distribution reaching outside the parameter's valid range (a porosity outside (0, 1]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from atlas.scenario.fields import MISSING, FieldReader, is_number, key_path, shown, suggest
from atlas.scenario.schema import Aquifer, GridRaster, HeadDrivenFlow, Source, UniformFlow

__all__ = [
    "DISTRIBUTIONS",
    "MOST_REALIZATIONS",
    "PARAMETER_RANGES",
    "Claim",
    "Prior",
    "Uncertainty",
    "read_uncertainty",
]

MOST_REALIZATIONS = 10_000_000
"""The largest number of realizations a scenario may ask for."""

DISTRIBUTIONS = {
    "uniform": "[lower, upper]",
    "loguniform": "[lower, upper], both > 0",
    "triangular": "[lower, mode, upper]",
    "normal": "[mean, standard deviation] with bounds = [lower, upper]",
    "lognormal": "[median, standard deviation of ln] (bounds = [lower, upper] optional)",
}
"""Distribution names and the numbers each takes."""

# parameter -> (lowest, lowest allowed?, highest, highest allowed?) of its valid range
_ANY = (-math.inf, False, math.inf, False)
_POSITIVE = (0.0, False, math.inf, False)
_NON_NEGATIVE = (0.0, True, math.inf, False)
PARAMETER_RANGES: dict[str, tuple[float, bool, float, bool]] = {
    "velocity_m_per_yr": _NON_NEGATIVE,
    "direction_deg": _ANY,
    "recharge_mm_per_yr": _ANY,
    "hydraulic_conductivity_m_per_day": _POSITIVE,
    "conductivity_multiplier": _POSITIVE,
    "effective_porosity": (0.0, False, 1.0, True),
    "thickness_m": _POSITIVE,
    "longitudinal_dispersivity_m": _NON_NEGATIVE,
    "transverse_dispersivity_m": _NON_NEGATIVE,
    "retardation": (1.0, True, math.inf, False),
    "half_life_yr": _POSITIVE,
    "molecular_diffusion_m2_per_yr": _NON_NEGATIVE,
    "concentration_mg_per_l": _NON_NEGATIVE,
    "mass_rate_kg_per_yr": _NON_NEGATIVE,
    "leakage_mm_per_yr": _NON_NEGATIVE,
    "leakage_m3_per_day": _NON_NEGATIVE,
    "head_m": _ANY,
}
"""Valid range of each sampled parameter (the last part of its key)."""

_SECTION_KEYS = ["realizations", "seed", "correlations", "claim", "source", "fixed_head"]
_SOURCE_KEYS = [
    "concentration_mg_per_l",
    "mass_rate_kg_per_yr",
    "leakage_mm_per_yr",
    "leakage_m3_per_day",
]
_FLAT = [k for k in PARAMETER_RANGES if k not in (*_SOURCE_KEYS, "head_m")]


@dataclass(frozen=True)
class Prior:
    """The distribution of one parameter over the realizations.

    Attributes
    ----------
    key : str
        The parameter, as under ``[uncertainty]``: ``"velocity_m_per_yr"``,
        ``"source.pond.concentration_mg_per_l"``, ``"fixed_head.river.head_m"``; in the
        parameter's own units (named in the key).
    distribution : str
        ``"fixed"`` or one of :data:`DISTRIBUTIONS`.
    parameters : tuple of float
        ``(value,)`` when fixed, else the numbers of :data:`DISTRIBUTIONS`.
    bounds : tuple of float or None
        Truncation of a normal or lognormal distribution, (lower, upper).
    """

    key: str
    distribution: str
    parameters: tuple[float, ...]
    bounds: tuple[float, float] | None = None

    @property
    def sampled(self) -> bool:
        """Whether the value varies between realizations."""
        return self.distribution != "fixed"

    @property
    def support(self) -> tuple[float, float]:
        """The lowest and highest value a realization can take."""
        if self.bounds is not None:
            return self.bounds
        if self.distribution == "fixed":
            return self.parameters[0], self.parameters[0]
        if self.distribution == "lognormal":
            return 0.0, math.inf
        if self.distribution == "normal":
            return -math.inf, math.inf
        return self.parameters[0], self.parameters[-1]

    def describe(self) -> str:
        """The prior in the file's own words, e.g. ``uniform [20, 30]``."""
        numbers = ", ".join(f"{v:g}" for v in self.parameters)
        text = f"{self.distribution} [{numbers}]" if self.sampled else f"fixed {numbers}"
        if self.bounds is not None:
            text += f" bounded to [{self.bounds[0]:g}, {self.bounds[1]:g}]"
        return text


@dataclass(frozen=True)
class Claim:
    """A claim about one sampled parameter: its value lies in ``[low, high]`` (the
    parameter's units); an ensemble says whether the observations leave it standing."""

    name: str
    key: str
    low: float
    high: float


@dataclass(frozen=True)
class Uncertainty:
    """How a scenario's ensemble is drawn.

    Attributes
    ----------
    realizations : int
        Number of realizations (> 0).
    seed : int
        Seed of the Latin hypercube (>= 0): the same seed gives the same samples.
    priors : tuple of Prior
        One per parameter, in the file's order.
    correlations : tuple of (str, str, float)
        Target Spearman rank correlations between two sampled parameters.
    claims : tuple of Claim
        Claims to test against the observations (``[[uncertainty.claim]]``).
    """

    realizations: int
    seed: int
    priors: tuple[Prior, ...]
    correlations: tuple[tuple[str, str, float], ...] = ()
    claims: tuple[Claim, ...] = ()


def _distribution(r: FieldReader, value: Any, where: str) -> Prior | None:
    """One parameter's prior: a number (fixed) or ``{name = [numbers], bounds = [...]}``."""
    key = where.removeprefix("uncertainty.")
    if is_number(value):
        return Prior(key, "fixed", (float(value),))
    if not isinstance(value, dict):
        r.note(where, f"expected a number or a distribution table, found {shown(value)}")
        return None
    names = [k for k in value if k != "bounds"]
    if len(names) != 1:
        r.note(
            where,
            f"expected exactly one distribution, found {shown(names)}",
            f"use one of {', '.join(DISTRIBUTIONS)} (or a plain number for a fixed value)",
        )
        return None
    name = names[0]
    if name not in DISTRIBUTIONS:
        r.note(key_path(where, name), "unknown distribution", suggest(str(name), [*DISTRIBUTIONS]))
        return None
    numbers = value[name]
    size = 3 if name == "triangular" else 2
    if not (
        isinstance(numbers, list) and len(numbers) == size and all(is_number(v) for v in numbers)
    ):
        r.note(f"{where}.{name}", f"expected {DISTRIBUTIONS[name]}, found {shown(numbers)}")
        return None
    parameters = tuple(float(v) for v in numbers)
    bounds = _bounds(r, value, where, name)
    if isinstance(bounds, bool):
        return None
    if name in ("uniform", "loguniform", "triangular") and not (
        parameters[0] <= parameters[-1] and parameters[0] <= parameters[1] <= parameters[-1]
    ):
        r.note(f"{where}.{name}", f"lower > upper (or the mode outside them): {shown(numbers)}")
        return None
    if name == "loguniform" and parameters[0] <= 0:
        r.note(f"{where}.{name}", f"both bounds must be > 0, found {shown(numbers)}")
        return None
    if name in ("normal", "lognormal") and parameters[1] <= 0:
        r.note(f"{where}.{name}", f"the standard deviation must be > 0, found {shown(numbers)}")
        return None
    if name == "lognormal" and parameters[0] <= 0:
        r.note(f"{where}.{name}", f"the median must be > 0, found {shown(numbers)}")
        return None
    return Prior(key, name, parameters, bounds)


def _bounds(
    r: FieldReader, value: dict, where: str, name: str
) -> tuple[float, float] | bool | None:
    """The truncation of a normal or lognormal (required for a normal); False when bad."""
    bounds = value.get("bounds")
    if bounds is None:
        if name == "normal":
            r.note(f"{where}.bounds", "missing", "a normal prior needs bounds = [lower, upper]")
            return False
        return None
    if name not in ("normal", "lognormal"):
        r.note(f"{where}.bounds", f"only a normal or lognormal prior takes bounds, not {name}")
        return False
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(is_number(v) for v in bounds)):
        r.note(f"{where}.bounds", f"expected [lower, upper], found {shown(bounds)}")
        return False
    if not bounds[0] < bounds[1]:
        r.note(f"{where}.bounds", f"lower > upper (or equal): {shown(bounds)}")
        return False
    return float(bounds[0]), float(bounds[1])


def _in_range(r: FieldReader, prior: Prior, where: str) -> bool:
    """Whether every value the prior can take is valid for its parameter (noted if not)."""
    low, low_ok, high, high_ok = PARAMETER_RANGES[prior.key.rsplit(".", 1)[-1]]
    lower, upper = prior.support
    open_lower = prior.distribution == "lognormal" and prior.bounds is None  # never reaches 0
    lower_ok = lower > low or (lower == low and (low_ok or open_lower))
    upper_ok = upper < high or (upper == high and (high_ok or math.isinf(upper)))
    if lower_ok and upper_ok:
        return True
    valid = f"{'[' if low_ok else '('}{low:g}, {high:g}{']' if high_ok else ')'}"
    r.note(where, f"{prior.describe()} reaches outside {valid}", f"keep its bounds within {valid}")
    return False


def _applies(
    key: str, aquifer: Aquifer | None, flow: Any, sources: list[Source]
) -> tuple[bool, str]:
    """Whether sampling ``key`` changes this scenario, and why not."""
    head_driven = isinstance(flow, HeadDrivenFlow)
    conductivity = None if aquifer is None else aquifer.hydraulic_conductivity_m_per_day
    if key in ("velocity_m_per_yr", "direction_deg"):
        return isinstance(
            flow, UniformFlow
        ), "applies to uniform flow only; this flow is head-driven"
    if key == "recharge_mm_per_yr":
        return head_driven, "applies to head-driven flow only; this flow is uniform"
    # under uniform flow the conductivity shapes the mound of a leaking source
    mounded = any(
        s.leakage_mm_per_yr is not None or s.leakage_m3_per_day is not None for s in sources
    )
    if key == "hydraulic_conductivity_m_per_day":
        if not (head_driven or mounded):
            return False, (
                "does not move the plume under uniform flow (the velocity is given) without a "
                "leaking source"
            )
        if isinstance(conductivity, GridRaster):
            return False, "the conductivity is a raster: sample conductivity_multiplier instead"
        return True, ""
    if key == "conductivity_multiplier":
        return head_driven or mounded, (
            "applies to head-driven flow, or to a leaking source's mound (a factor on the "
            "conductivity)"
        )
    parts = key.split(".")
    if parts[0] == "source":
        source = next((s for s in sources if s.name == parts[1]), None)
        if source is None:
            return False, f"this scenario has no source named {shown(parts[1])}"
        if getattr(source, parts[2]) is None:
            if parts[2].startswith("leakage"):
                return False, f"source {shown(parts[1])} has no {parts[2]}: give it one"
            return False, f"source {shown(parts[1])} is not given by {parts[2]}"
        return True, ""
    if parts[0] == "fixed_head":
        names = [h.name for h in flow.fixed_heads] if head_driven else []
        if parts[1] not in names:
            return False, f"this scenario has no fixed head named {shown(parts[1])}"
    return True, ""


def _entries(r: FieldReader, table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(key below uncertainty, value) of every parameter entry, the nested ones flattened."""
    entries = [(key, value) for key, value in table.items() if key in _FLAT]
    for kind, allowed in (
        ("source", _SOURCE_KEYS),
        ("fixed_head", ["head_m"]),
    ):
        items = r.table(table, kind, f"uncertainty.{kind}", required=False) or {}
        for name, item in items.items():
            where = key_path(f"uncertainty.{kind}", name)
            if not isinstance(item, dict):
                r.note(where, f"expected a table of {', '.join(allowed)}, found {shown(item)}")
                continue
            r.keys(item, allowed, where)
            entries += [(f"{kind}.{name}.{k}", v) for k, v in item.items() if k in allowed]
    return entries


def _correlations(
    r: FieldReader, table: Mapping[str, Any], priors: list[Prior]
) -> tuple[tuple[str, str, float], ...]:
    value = table.get("correlations", [])
    where = "uncertainty.correlations"
    sampled = [p.key for p in priors if p.sampled]
    if not isinstance(value, list):
        r.note(where, f"expected a list of [key, key, rank correlation], found {shown(value)}")
        return ()
    found: list[tuple[str, str, float]] = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if not (
            isinstance(item, list)
            and len(item) == 3
            and all(isinstance(v, str) for v in item[:2])
            and is_number(item[2])
            and -1 < item[2] < 1
        ):
            r.note(here, f"expected [key, key, correlation in (-1, 1)], found {shown(item)}")
        elif item[0] == item[1] or not {item[0], item[1]} <= set(sampled):
            r.note(here, f"expected two different sampled parameters, found {shown(item[:2])}")
        else:
            found.append((item[0], item[1], float(item[2])))
    if found:
        matrix = np.eye(len(sampled))
        for a, b, rho in found:
            i, j = sampled.index(a), sampled.index(b)
            matrix[i, j] = matrix[j, i] = rho
        if np.linalg.eigvalsh(matrix).min() <= 1e-9:
            r.note(where, "the correlations are not consistent (not positive definite)")
    return tuple(found)


def _claims(r: FieldReader, table: Mapping[str, Any], priors: list[Prior]) -> tuple[Claim, ...]:
    sampled = [p.key for p in priors if p.sampled]
    claims = []
    for index, item in enumerate(r.tables(table, "claim", "uncertainty.claim")):
        where = f"uncertainty.claim[{index}]"
        r.keys(item, ["name", "parameter", "range"], where)
        name = r.text(item, "name", f"{where}.name")
        key = r.text(item, "parameter", f"{where}.parameter")
        if key is not None and key not in sampled:
            r.note(
                f"{where}.parameter",
                f"{shown(key)} is not a sampled parameter of this ensemble",
                suggest(key, sampled) if sampled else "sample it first",
            )
            key = None
        bounds = r.get(item, "range", f"{where}.range", True)
        if bounds is MISSING:
            continue
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(is_number(v) for v in bounds)
            and bounds[0] <= bounds[1]
        ):
            r.note(
                f"{where}.range", f"expected [lower, upper], lower <= upper, found {shown(bounds)}"
            )
        elif name is not None and key is not None:
            claims.append(Claim(name, key, float(bounds[0]), float(bounds[1])))
    return tuple(claims)


def _count(r: FieldReader, table: Mapping[str, Any], key: str, default: Any, low: int, high: int):
    value = table.get(key, default)
    where = f"uncertainty.{key}"
    if value is None:
        r.note(where, "missing", "add this key")
    elif isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        r.note(where, f"expected an integer in [{low}, {high}], found {shown(value)}")
    else:
        return value
    return None


def read_uncertainty(
    r: FieldReader,
    doc: Mapping[str, Any],
    aquifer: Aquifer | None,
    flow: UniformFlow | HeadDrivenFlow | None,
    sources: list[Source],
) -> Uncertainty | None:
    """The ``[uncertainty]`` section (None when absent, or when it has a problem, noted in
    ``r``).

    Parameters
    ----------
    r : FieldReader
        Collects the problems (none is raised).
    doc : Mapping
        The scenario document.
    aquifer, flow, sources
        The scenario's, read before (None when bad): which parameters apply depends on them.
    """
    table = r.table(doc, "uncertainty", "uncertainty", required=False)
    if table is None:
        return None
    r.keys(table, [*_SECTION_KEYS, *_FLAT], "uncertainty")
    realizations = _count(r, table, "realizations", None, 1, MOST_REALIZATIONS)
    seed = _count(r, table, "seed", 0, 0, 2**63 - 1)
    priors = []
    for key, value in _entries(r, table):
        where = f"uncertainty.{key}"
        r.parameter_keys.append(where)
        prior = _distribution(r, value, where)
        if prior is None or not _in_range(r, prior, where):
            continue
        if flow is not None:  # a bad flow section is reported on its own
            applies, why = _applies(key, aquifer, flow, sources)
            if not applies:
                r.note(where, f"does not apply: {why}")
                continue
        priors.append(prior)
    correlations = _correlations(r, table, priors)
    claims = _claims(r, table, priors)
    if claims and "observation" not in doc:
        r.note(
            "uncertainty.claim",
            "a claim is judged by the observations, and this scenario has none",
            "add [[observation]] entries, or leave the claims out",
        )
    if realizations is None or seed is None:
        return None
    return Uncertainty(realizations, seed, tuple(priors), correlations, claims)
