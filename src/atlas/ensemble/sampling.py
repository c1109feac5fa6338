"""Latin hypercube samples of the priors, and each realization's :class:`Scenario`.

Everything here runs on the client, before any task is sent: the whole sample matrix is drawn
from the seed alone, so the realizations are the same whatever the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import qmc

from atlas.errors import ScenarioError
from atlas.scenario import Aquifer, GridRaster, HeadDrivenFlow, Scenario, UniformFlow
from atlas.scenario.uncertainty import Prior, Uncertainty

__all__ = ["inverse_cdf", "realize", "sample"]

_AQUIFER_FIELDS = {f.name for f in fields(Aquifer)}


def inverse_cdf(prior: Prior, u: np.ndarray) -> np.ndarray:
    """Values of ``prior`` at probabilities ``u`` in (0, 1) (its quantile function).

    Parameters
    ----------
    prior : Prior
        The distribution, in the parameter's units.
    u : numpy.ndarray
        Probabilities in (0, 1).

    Returns
    -------
    numpy.ndarray
        Same shape as ``u``, within :attr:`Prior.support`.
    """
    u = np.asarray(u, dtype=float)
    p = prior.parameters
    name = prior.distribution
    if name == "fixed":
        return np.full(u.shape, p[0])
    if name == "uniform":
        values = p[0] + u * (p[1] - p[0])
    elif name == "loguniform":
        values = np.exp(math.log(p[0]) + u * (math.log(p[1]) - math.log(p[0])))
    elif name == "triangular":
        width = p[2] - p[0]
        if width == 0:
            return np.full(u.shape, p[0])
        values = stats.triang.ppf(u, (p[1] - p[0]) / width, loc=p[0], scale=width)
    else:  # normal, lognormal: a normal in x or in ln x, truncated to the bounds
        log = name == "lognormal"
        centre, spread = (math.log(p[0]), p[1]) if log else (p[0], p[1])
        low, high = (-math.inf, math.inf) if prior.bounds is None else prior.bounds
        if log:
            low = -math.inf if low <= 0 else math.log(low)
            high = math.log(high) if math.isfinite(high) else math.inf
        first = stats.norm.cdf((low - centre) / spread)
        last = stats.norm.cdf((high - centre) / spread)
        values = centre + spread * stats.norm.ppf(first + u * (last - first))
        values = np.exp(values) if log else values
    lower, upper = prior.support
    return np.clip(values, lower, upper)


def _rank_correlate(u: np.ndarray, target: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``u`` so that their rank correlation approaches ``target``
    (Iman & Conover 1982); the values of each column, hence the Latin hypercube, are kept."""
    n, d = u.shape
    if n <= d + 1:
        return u
    scores = stats.norm.ppf(np.arange(1, n + 1) / (n + 1))
    drawn = np.column_stack([rng.permutation(scores) for _ in range(d)])
    pearson = 2.0 * np.sin(np.pi * target / 6.0)  # the normal scores' correlation
    np.fill_diagonal(pearson, 1.0)
    try:
        now = np.linalg.cholesky(np.corrcoef(drawn, rowvar=False))
        wanted = np.linalg.cholesky(pearson)
    except np.linalg.LinAlgError:
        return u
    shaped = drawn @ np.linalg.inv(now).T @ wanted.T
    out = np.empty_like(u)
    for k in range(d):
        ranks = np.argsort(np.argsort(shaped[:, k], kind="stable"), kind="stable")
        out[:, k] = np.sort(u[:, k])[ranks]
    return out


def sample(uncertainty: Uncertainty, realizations: int, seed: int) -> np.ndarray:
    """The value of every prior in every realization.

    Parameters
    ----------
    uncertainty : Uncertainty
        The priors and correlations.
    realizations : int
        Number of realizations (rows).
    seed : int
        Seed of the Latin hypercube (``scipy.stats.qmc.LatinHypercube``) and of the
        reordering for rank correlations; the same seed gives the same matrix.

    Returns
    -------
    numpy.ndarray, shape (realizations, len(uncertainty.priors))
        Each column in its parameter's units.
    """
    priors = uncertainty.priors
    sampled = [k for k, prior in enumerate(priors) if prior.sampled]
    rng = np.random.default_rng(seed)
    values = np.empty((realizations, len(priors)))
    if sampled:
        u = qmc.LatinHypercube(d=len(sampled), rng=rng).random(realizations)
        if uncertainty.correlations:
            keys = [priors[k].key for k in sampled]
            target = np.eye(len(sampled))
            for a, b, rho in uncertainty.correlations:
                i, j = keys.index(a), keys.index(b)
                target[i, j] = target[j, i] = rho
            u = _rank_correlate(u, target, rng)
        for column, k in enumerate(sampled):
            values[:, k] = inverse_cdf(priors[k], u[:, column])
    for k, prior in enumerate(priors):
        if not prior.sampled:
            values[:, k] = prior.parameters[0]
    return values


def realize(scenario: Scenario, priors: Sequence[Prior], values: Sequence[float]) -> Scenario:
    """The scenario of one realization: every prior's field replaced by its value.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    priors : sequence of Prior
        The priors (:attr:`Uncertainty.priors`).
    values : sequence of float
        One value per prior (a row of :func:`sample`).

    Returns
    -------
    Scenario
        An ordinary scenario (``uncertainty`` None), run like any other. A
        ``transverse_dispersivity_ratio`` sets the transverse dispersivity to that fraction of
        the realization's longitudinal one.
    """
    aquifer, flow = scenario.aquifer, scenario.flow
    sources = {s.name: s for s in scenario.sources}
    heads: dict[str, float] = {}
    multiplier = 1.0
    ratio = None
    for prior, value in zip(priors, values, strict=True):
        key, value = prior.key, float(value)
        parts = key.split(".")
        if key in _AQUIFER_FIELDS:
            aquifer = replace(aquifer, **{key: value})
        elif key == "conductivity_multiplier":
            multiplier = value
        elif key == "transverse_dispersivity_ratio":
            ratio = value
        elif key in ("velocity_m_per_yr", "direction_deg") and isinstance(flow, UniformFlow):
            value = value % 360.0 if key == "direction_deg" else value
            flow = replace(flow, **{key: value})
        elif key == "recharge_mm_per_yr" and isinstance(flow, HeadDrivenFlow):
            flow = replace(flow, recharge_mm_per_yr=value)
        elif parts[0] == "source" and parts[1] in sources:
            strength: dict[str, Any] = {parts[2]: value}
            sources[parts[1]] = replace(sources[parts[1]], **strength)
        elif parts[0] == "fixed_head":
            heads[parts[1]] = value
        else:  # prevented by the scenario's validation
            raise ScenarioError(f"uncertainty.{key}: does not apply to scenario {scenario.name!r}")
    if ratio is not None:  # after the longitudinal dispersivity is drawn
        alpha_t = ratio * aquifer.longitudinal_dispersivity_m
        aquifer = replace(aquifer, transverse_dispersivity_m=alpha_t)
    if multiplier != 1.0:
        conductivity = aquifer.hydraulic_conductivity_m_per_day
        if isinstance(conductivity, GridRaster):
            conductivity = GridRaster(conductivity.path, conductivity.values * multiplier)
        elif conductivity is not None:
            conductivity = conductivity * multiplier
        aquifer = replace(aquifer, hydraulic_conductivity_m_per_day=conductivity)
    if heads and isinstance(flow, HeadDrivenFlow):
        fixed = tuple(replace(h, head_m=heads.get(h.name, h.head_m)) for h in flow.fixed_heads)
        flow = replace(flow, fixed_heads=fixed)
    return replace(
        scenario,
        aquifer=aquifer,
        flow=flow,
        sources=tuple(sources[s.name] for s in scenario.sources),
        uncertainty=None,
        referenced_files=(),  # read already; not hashed again for each realization
    )
