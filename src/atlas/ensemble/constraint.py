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
which :attr:`Constraint.noise_ks` states, corrected for the number of parameters tested); below
:data:`FEW_KEPT` kept realizations the posterior is reported as its range and count rather than
P5-P95, and the report warns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from atlas.scenario import Observation, Scenario
from atlas.scenario.uncertainty import Claim, Prior

__all__ = [
    "FEW_KEPT",
    "REPORTED_QUANTILES",
    "RULE_OUT_RATE",
    "ClaimVerdict",
    "Constraint",
    "ObservationCount",
    "ParameterShift",
    "claim_verdict",
    "constrain",
    "parameter_phrase",
    "unmet_message",
    "upper_rate",
]

REPORTED_QUANTILES = (0.05, 0.5, 0.95)
"""Quantiles of each parameter reported before and after the observations (P5, P50, P95)."""

FEW_KEPT = 50
"""Below this many kept realizations, posterior quantiles are not reported (their range and
count are) and the report warns that the posterior is rough."""

RULE_OUT_RATE = 0.05
"""A claim is ruled out by an observation when the one-sided 95 % Clopper-Pearson upper bound
on the rate at which realizations inside the claim's range meet it is below this (and below
the rate over all realizations): fewer than 5 % of them could meet it, at 95 % confidence.
With no realization inside the range meeting it, that takes at least 59 realizations in range."""

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
    posterior_range : tuple of float
        Lowest and highest value over the kept realizations.
    kept : int
        Number of kept realizations.
    """

    key: str
    prior: tuple[float, float, float]
    posterior: tuple[float, float, float]
    width_ratio: float
    ks_distance: float
    posterior_range: tuple[float, float]
    kept: int

    def posterior_phrase(self) -> str:
        """``P5/P50/P95 a/b/c``, or ``range a-b (n = k)`` below :data:`FEW_KEPT` kept."""
        if self.kept < FEW_KEPT:
            low, high = self.posterior_range
            return f"range {low:.3g}-{high:.3g} (n = {self.kept})"
        return "P5/P50/P95 " + "/".join(f"{v:.3g}" for v in self.posterior)


@dataclass(frozen=True)
class ObservationCount:
    """How the realizations inside a claim's range fare against one observation.

    Attributes
    ----------
    name : str
        The observation's name, or ``"all observations"`` for their conjunction (the kept
        realizations).
    display_name : str
        How sentences name it (:attr:`atlas.scenario.Named.display_name`).
    in_range, total : int
        Realizations meeting it inside the claim's range, and among all realizations.
    upper_rate : float
        One-sided 95 % Clopper-Pearson upper bound on the rate of meeting it inside the range.
    overall_rate : float
        ``total`` over all realizations.
    """

    name: str
    in_range: int
    total: int
    upper_rate: float
    overall_rate: float
    display_name: str

    @property
    def rules_out(self) -> bool:
        """Whether the claim's realizations (almost) never meet it: the upper bound is below
        :data:`RULE_OUT_RATE` and below the rate over all realizations."""
        return self.upper_rate < min(RULE_OUT_RATE, self.overall_rate)


@dataclass(frozen=True)
class ClaimVerdict:
    """A claim against the observations (see :func:`claim_verdict`).

    Attributes
    ----------
    claim : Claim
    prior_count : int
        Realizations inside the claim's range.
    kept_count : int
        Those of them agreeing with every observation.
    counts : tuple of ObservationCount
        Per observation, then all observations together.
    verdict : str
        ``"ruled out"``, ``"not ruled out"`` or ``"too few to judge"``.
    deciding : ObservationCount or None
        The observation that rules the claim out (the lowest upper bound), when one does.
    sentence : str
    """

    claim: Claim
    prior_count: int
    kept_count: int
    counts: tuple[ObservationCount, ...]
    verdict: str
    deciding: ObservationCount | None
    sentence: str


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
        """The KS distance below which a shift is within sampling noise: the critical value
        of the two-sample test at the 5 % level, Bonferroni-corrected for the number ``m`` of
        parameters tested (level 5 % / m), ``sqrt(-ln(0.025 / m) / 2) sqrt(1/kept -
        1/realizations)`` for a subsample (1.36 for one parameter, 1.63 for five)."""
        if self.kept >= self.realizations:
            return 0.0
        tested = max(len(self.parameters), 1)
        critical = math.sqrt(-math.log(0.05 / (2 * tested)) / 2)
        return critical * math.sqrt(1.0 / self.kept - 1.0 / self.realizations)

    @property
    def warning(self) -> str | None:
        """A warning when fewer than :data:`FEW_KEPT` realizations are kept, else None."""
        if self.kept >= FEW_KEPT:
            return None
        return (
            f"Only {self.kept} realizations agree with the observations: the posterior is "
            f"rough (ranges given instead of P5-P95; a KS distance below "
            f"{self.noise_ks:.2f} is noise); draw more realizations."
        )

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
        posterior_range=(float(posterior.min()), float(posterior.max())),
        kept=int(posterior.size),
    )


def upper_rate(successes: int, trials: int) -> float:
    """One-sided 95 % Clopper-Pearson upper bound on a binomial rate (1 when all succeed)."""
    if successes >= trials:
        return 1.0
    return float(stats.beta.ppf(0.95, successes + 1, trials - successes))


def _count(
    name: str, inside: np.ndarray, met: np.ndarray, display_name: str = ""
) -> ObservationCount:
    in_range = int(met[inside].sum())
    return ObservationCount(
        name=name,
        in_range=in_range,
        total=int(met.sum()),
        upper_rate=upper_rate(in_range, int(inside.sum())),
        overall_rate=float(met.mean()),
        display_name=display_name or name,
    )


def _count_phrase(count: ObservationCount, n_in: int, n: int, phrase: str) -> str:
    some = "none" if count.in_range == 0 else f"{count.in_range}"
    return (
        f"{some} of the {n_in} realizations with {phrase} meet{'s' * (count.in_range == 1)} "
        f"{count.display_name}, against {count.total} of {n} overall"
    )


def claim_verdict(
    scenario: Scenario, claim: Claim, column: np.ndarray, met: np.ndarray, observed: np.ndarray
) -> ClaimVerdict:
    """Whether the observations rule a claim out, judged on the realizations inside its range.

    The realizations inside the claim's range are counted against each observation. An
    observation rules the claim out when it is met by fewer of them than
    :data:`RULE_OUT_RATE` at 95 % confidence and by fewer than over all realizations
    (:attr:`ObservationCount.rules_out`); the observations together (the kept realizations)
    are judged the same way. When none rules it out, the claim is "not ruled out" if some
    realization inside the range agrees with every observation, and "too few to judge"
    otherwise (no agreeing realization in range, but too few realizations to say it could not
    have been chance). The sentence names the deciding observation, its modelled values in
    range and its reading (its ``[provenance]`` entry), on which the verdict rests.

    Parameters
    ----------
    scenario : Scenario
        Its observations and provenance.
    claim : Claim
    column : numpy.ndarray, shape (n,)
        The claim's parameter in every realization.
    met : numpy.ndarray of bool, shape (n, n_observations)
        Whether each realization agrees with each observation.
    observed : numpy.ndarray, shape (n, n_observations)
        Modelled concentrations at the observations, mg/L.
    """
    inside = (column >= claim.low) & (column <= claim.high)
    n_in, n = int(inside.sum()), column.size
    kept = np.asarray(met.all(axis=1), dtype=bool)
    phrase = parameter_phrase(claim.key, claim.low, claim.high)
    together = _observations_phrase(met.shape[1])
    counts = [
        _count(o.name, inside, met[:, k], o.display_name)
        for k, o in enumerate(scenario.observations)
    ]
    counts.append(_count(together, inside, kept))
    per_observation = "; ".join(_count_phrase(c, n_in, n, phrase) for c in counts[:-1])
    kept_in = counts[-1].in_range
    deciding = min((c for c in counts if c.rules_out), key=lambda c: c.upper_rate, default=None)
    if n_in == 0:
        verdict = "too few to judge"
        sentence = (
            f"Too few realizations to judge the claim: none of the {n} has {phrase}; widen "
            "the prior or draw more realizations."
        )
    elif deciding is not None:
        verdict = "ruled out"
        sentence = (
            f"The observations rule the claim out: {_count_phrase(deciding, n_in, n, phrase)}"
            f" (at most {deciding.upper_rate:.1%} of such realizations could, at 95 % "
            f"confidence). {_reading(scenario, deciding.name, inside, observed)}"
        )
        if len(counts) > 2:
            sentence += f" Per observation: {per_observation}."
    elif kept_in > 0:
        verdict = "not ruled out"
        sentence = (
            f"The observations do not rule the claim out: {kept_in} of the {n_in} "
            f"realizations with {phrase} agree with {together} ({kept_in / n_in:.0%}), "
            f"against {counts[-1].total} of {n} overall ({per_observation})."
        )
    else:
        verdict = "too few to judge"
        expected = n_in * counts[-1].overall_rate
        sentence = (
            f"Too few realizations to judge the claim: none of the {n_in} realizations with "
            f"{phrase} agrees with {together}, but with {counts[-1].total} of {n} agreeing "
            f"overall about {expected:.1f} would be expected even if the observations said "
            f"nothing about it ({per_observation}); draw more realizations."
        )
    return ClaimVerdict(claim, n_in, kept_in, tuple(counts), verdict, deciding, sentence)


def _reading(scenario: Scenario, name: str, inside: np.ndarray, observed: np.ndarray) -> str:
    """The deciding observation's modelled values in range and the reading it rests on."""
    names = [o.name for o in scenario.observations]
    if name not in names:
        return "It rests on the observations together, as read in [provenance]."
    k = names.index(name)
    observation = scenario.observations[k]
    values = observed[inside, k]
    low = observation.max_head_rise_m is not None or not observation.detected
    extreme, word = (values.min(), "lowest") if low else (values.max(), "highest")
    reading = scenario.provenance.get(f"observation.{name}", "not documented")
    return (
        f"Their {word} modelled value there is {extreme:.2g} {observation.unit} against the "
        "observation's "
        f"{observation.describe()}. The verdict rests on that observation as read here: "
        f"{reading.rstrip('.')}."
    )


def constrain(
    scenario: Scenario,
    priors: tuple[Prior, ...],
    samples: np.ndarray,
    kept: np.ndarray,
    met: np.ndarray,
    observed: np.ndarray,
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
    observed : numpy.ndarray, shape (n, n_observations)
        Modelled concentrations at the observations, mg/L.
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
            claim_verdict(scenario, c, samples[:, keys.index(c.key)], met, observed) for c in claims
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
        low = observation.max_head_rise_m is not None or not observation.detected
        closest = column.min() if low else column.max()
        lines.append(
            f"observation {observation.name!r} ({observation.describe()}) is met by "
            f"{int(met[:, k].sum())} of {n} realizations (modelled values from "
            f"{column.min():.3g} to {column.max():.3g} {observation.unit}; the closest "
            f"{closest:.3g} {observation.unit})"
        )
    if met.any(axis=0).all():
        lines.append("each is met by some realizations, but none meets all of them together")
    return (
        f"{where}none of the {n} realizations agrees with the observations: "
        + "; ".join(lines)
        + ". Widen the priors (or add the parameters that could reach them), or check the "
        "observations"
    )
