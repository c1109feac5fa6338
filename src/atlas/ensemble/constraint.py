"""What the observations say about the priors: rejection counts, prior against posterior, and
the verdict on each claim.

Rejection sampling: a realization is kept when it agrees with every ``[[observation]]``
(:func:`atlas.observed.agrees_with_all`); the kept realizations are samples of the posterior
(the priors conditioned on the observations, each observation a yes/no likelihood). For each
sampled parameter this module compares the prior (all realizations) with the posterior (the
kept ones): their P5, P50 and P95, the ratio of the P5-P95 widths, and the two-sample
Kolmogorov-Smirnov distance between them (the largest gap between the two empirical
cumulative distributions, 0 to 1). Parameters are ranked by that distance: unlike the width
ratio it also sees a posterior that is shifted without narrowing. With few kept realizations
both are noisy (the KS distance of an unconstrained parameter is of order ``1/sqrt(kept)``,
which :attr:`Constraint.noise_ks` states).

A claim (``[[uncertainty.claim]]``: a sampled parameter lies in a range) is ruled out when no
kept realization lies in its range and that is unlikely to be chance: were the range as
consistent with the observations as the whole ensemble is, the probability that none of its
``m`` realizations agrees with all the observations would be ``(1 - kept / n) ** m``, and that
none agrees with observation ``k`` ``(1 - n_k / n) ** m`` (``n_k`` realizations agree with
it); the claim is ruled out when the smallest of these is below :data:`SIGNIFICANCE` divided
by the number of tests (Bonferroni). Otherwise the sentence says that too few realizations lie
in the range to tell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from atlas.scenario import Observation, Scenario
from atlas.scenario.uncertainty import Claim, Prior

__all__ = [
    "REPORTED_QUANTILES",
    "SIGNIFICANCE",
    "ClaimVerdict",
    "Constraint",
    "ParameterShift",
    "constrain",
    "parameter_phrase",
    "unmet_message",
]

REPORTED_QUANTILES = (0.05, 0.5, 0.95)
"""Quantiles of each parameter reported before and after the observations (P5, P50, P95)."""

_UNITS = {
    "_m_per_yr": "m/yr",
    "_m_per_day": "m/d",
    "_mm_per_yr": "mm/yr",
    "_m3_per_day": "m3/day",
    "_mg_per_l": "mg/L",
    "_kg_per_yr": "kg/yr",
    "_m2_per_yr": "m2/yr",
    "_yr": "yr",
    "_deg": "deg",
    "_m": "m",
}
_NAMES = {"velocity": "seepage velocity", "direction": "flow direction"}


@dataclass(frozen=True)
class ParameterShift:
    """One sampled parameter before and after the observations.

    Attributes
    ----------
    key : str
        The prior's key (units in its name).
    prior : tuple of float
        P5, P50, P95 over all realizations.
    posterior : tuple of float
        P5, P50, P95 over the kept realizations.
    width_ratio : float
        Posterior P5-P95 width over the prior's (NaN when the prior's is 0).
    ks_distance : float
        Two-sample Kolmogorov-Smirnov distance between prior and posterior, in [0, 1].
    """

    key: str
    prior: tuple[float, float, float]
    posterior: tuple[float, float, float]
    width_ratio: float
    ks_distance: float


@dataclass(frozen=True)
class ClaimVerdict:
    """A claim's share of the realizations before and after the observations.

    Attributes
    ----------
    claim : Claim
    prior_count : int
        Realizations whose value lies in the claim's range.
    kept_count : int
        Kept realizations whose value lies in it.
    agreeing_in_range : tuple of int
        Per observation, the realizations in the range that agree with it.
    p_value : float
        When no kept realization lies in the range: the largest chance of that (or of no
        realization in the range agreeing with one observation) if the range agreed with the
        observations as often as the ensemble as a whole does (binomial,
        ``(1 - rate) ** prior_count``), the smallest over the observations and their
        conjunction; NaN when some kept realization lies in the range.
    ruled_out : bool
        No kept realization in the range, and ``p_value`` below 0.05 / (observations + 1)
        (Bonferroni).
    sentence : str
        The verdict in plain words, generated from these numbers.
    """

    claim: Claim
    prior_count: int
    kept_count: int
    agreeing_in_range: tuple[int, ...]
    p_value: float
    ruled_out: bool
    sentence: str


SIGNIFICANCE = 0.05
"""Level at which a claim with no kept realization is said to be ruled out (split over the
observations and their conjunction, Bonferroni)."""


@dataclass(frozen=True)
class Constraint:
    """The observations' effect on an ensemble (see the module docstring).

    Attributes
    ----------
    observations : tuple of Observation
    met_counts : tuple of int
        Realizations agreeing with each observation.
    realizations, kept : int
        Realizations run, and those agreeing with every observation.
    parameters : tuple of ParameterShift
        The sampled parameters, most constrained (largest KS distance) first.
    claims : tuple of ClaimVerdict
    """

    observations: tuple[Observation, ...]
    met_counts: tuple[int, ...]
    realizations: int
    kept: int
    parameters: tuple[ParameterShift, ...]
    claims: tuple[ClaimVerdict, ...]

    @property
    def noise_ks(self) -> float:
        """The KS distance below which a shift is within sampling noise (5 % level of the
        two-sample test, ``1.36 sqrt(1/kept - 1/realizations)`` for a subsample)."""
        if self.kept >= self.realizations:
            return 0.0
        return 1.36 * math.sqrt(1.0 / self.kept - 1.0 / self.realizations)

    def sentence(self) -> str:
        """How many realizations the observations kept, in words."""
        return (
            f"Of {self.realizations} realizations, {self.kept} agree with "
            f"{_observations_phrase(len(self.observations))}."
        )


def _observations_phrase(count: int) -> str:
    return {1: "the observation", 2: "both observations"}.get(count, f"all {count} observations")


def parameter_phrase(key: str, low: float, high: float) -> str:
    """``a seepage velocity of 20-30 m/yr`` for a key and a range in its units."""
    last = key.rsplit(".", 1)[-1]
    suffix = next((s for s in _UNITS if last.endswith(s)), "")
    name = last.removesuffix(suffix).replace("_", " ")
    name = _NAMES.get(name, name)
    unit = f" {_UNITS[suffix]}" if suffix else ""
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{article} {name} of {low:g}-{high:g}{unit}"


def _quantiles(values: np.ndarray) -> tuple[float, float, float]:
    q = np.quantile(values, REPORTED_QUANTILES)
    return float(q[0]), float(q[1]), float(q[2])


def _shift(key: str, prior: np.ndarray, posterior: np.ndarray) -> ParameterShift:
    before, after = _quantiles(prior), _quantiles(posterior)
    width = before[2] - before[0]
    return ParameterShift(
        key=key,
        prior=before,
        posterior=after,
        width_ratio=(after[2] - after[0]) / width if width > 0 else math.nan,
        ks_distance=float(stats.ks_2samp(prior, posterior).statistic),
    )


def _verdict(
    claim: Claim,
    column: np.ndarray,
    kept: np.ndarray,
    met: np.ndarray,
    observations: tuple[Observation, ...],
) -> ClaimVerdict:
    """The verdict on one claim (see :class:`ClaimVerdict`)."""
    inside = (column >= claim.low) & (column <= claim.high)
    prior_count, kept_count = int(inside.sum()), int(inside[kept].sum())
    total, n_kept = column.size, int(kept.sum())
    agreeing = tuple(int(v) for v in met[inside].sum(axis=0))
    phrase = parameter_phrase(claim.key, claim.low, claim.high)
    head = f"Of {total} realizations, {n_kept} agree with {_observations_phrase(len(observations))}"
    if kept_count > 0:
        tail = (
            f"{kept_count} of those ({kept_count / n_kept:.0%}) have {phrase}: the "
            "observations do not rule the claim out."
        )
        return ClaimVerdict(
            claim, prior_count, kept_count, agreeing, math.nan, False, f"{head}; {tail}"
        )
    # the chance of no agreement in the range if it agreed as often as the whole ensemble
    rates = [(met[:, k].sum() / total, k) for k in range(len(observations)) if agreeing[k] == 0] + [
        (n_kept / total, None)
    ]  # an observation first: it is named when as telling
    p_value, which = min(
        ((float((1.0 - rate) ** prior_count), k) for rate, k in rates), key=lambda pair: pair[0]
    )
    ruled_out = bool(p_value < SIGNIFICANCE / (len(observations) + 1))
    if prior_count == 0:
        tail = f"no realization had {phrase}: widen the prior to test the claim."
    elif not ruled_out:
        tail = (
            f"none of those has {phrase}, but with {prior_count} realizations in that range "
            "this could be chance: too few realizations to rule the claim out (run more)."
        )
    else:
        evidence = (
            f"none agrees with {observations[which].name} "
            f"({int(met[:, which].sum())} of all {total} do)"
            if which is not None
            else "none agrees with them"
        )
        tail = (
            f"none of those has {phrase}, and of the {prior_count} realizations that have "
            f"one, {evidence}: the observations rule the claim out."
        )
    return ClaimVerdict(
        claim, prior_count, kept_count, agreeing, p_value, ruled_out, f"{head}; {tail}"
    )


def constrain(
    scenario: Scenario,
    priors: tuple[Prior, ...],
    samples: np.ndarray,
    kept: np.ndarray,
    met: np.ndarray,
) -> Constraint:
    """The constraint report of an ensemble.

    Parameters
    ----------
    scenario : Scenario
        Its observations, and the claims of its ``uncertainty``.
    priors : tuple of Prior
        The columns of ``samples``.
    samples : numpy.ndarray, shape (n, n_priors)
        Every realization's values, in realization order.
    kept : numpy.ndarray of bool, shape (n,)
        The realizations kept (at least one).
    met : numpy.ndarray of bool, shape (n, n_observations)
        Whether each realization agrees with each observation.
    """
    shifts = [
        _shift(prior.key, samples[:, k], samples[kept, k])
        for k, prior in enumerate(priors)
        if prior.sampled
    ]
    shifts.sort(key=lambda s: -s.ks_distance)
    claims = () if scenario.uncertainty is None else scenario.uncertainty.claims
    keys = [p.key for p in priors]
    return Constraint(
        observations=scenario.observations,
        met_counts=tuple(int(v) for v in met.sum(axis=0)),
        realizations=int(samples.shape[0]),
        kept=int(kept.sum()),
        parameters=tuple(shifts),
        claims=tuple(
            _verdict(c, samples[:, keys.index(c.key)], kept, met, scenario.observations)
            for c in claims
        ),
    )


def unmet_message(scenario: Scenario, observed: np.ndarray, met: np.ndarray) -> str:
    """Why no realization was kept, naming the observations.

    Parameters
    ----------
    scenario : Scenario
        Its observations.
    observed : numpy.ndarray, shape (n, n_observations)
        Modelled concentrations at the observations, mg/L.
    met : numpy.ndarray of bool, shape (n, n_observations)
    """
    where = "" if scenario.path is None else f"{scenario.path}: "
    n = observed.shape[0]
    lines = []
    for k, observation in enumerate(scenario.observations):
        column = observed[:, k]
        closest = column.max() if observation.detected else column.min()
        lines.append(
            f"observation {observation.name!r} ({observation.describe()}) is met by "
            f"{int(met[:, k].sum())} of {n} realizations (modelled values from "
            f"{column.min():.3g} to {column.max():.3g} mg/L; the closest {closest:.3g} mg/L)"
        )
    if met.any(axis=0).all():
        lines.append("each is met by some realizations, but none meets all of them together")
    return (
        f"{where}none of the {n} realizations agrees with the observations: "
        + "; ".join(lines)
        + ". Widen the priors (or add the parameters that could reach them), or check the "
        "observations"
    )
