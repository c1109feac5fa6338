"""Realizations as tasks on ``dask.distributed``, reduced on the workers.

The client draws every realization's parameters from the seed (:func:`sample`), cuts them into
batches and sends each batch as a task; a task runs its realizations one after the other
(:func:`atlas.run.run_scenario`) and returns a :class:`~atlas.ensemble.tally.Tally`. Tallies
are merged pairwise on the workers as they come in, so that only one (of fixed size but for a
few numbers per realization) reaches the client, and at most a few batches are in flight: the
memory of the client does not grow with the grids of the realizations. Counts are integers and
per-realization rows carry their index, so the result does not depend on the number of
workers nor on the order in which tasks finish. A task lost with its worker is run again by
the scheduler, with the same inputs and hence the same outcome.

The workers' threads are the parallelism: a task runs its realizations' kernels on one of
numba's threads. Each worker process otherwise starts as many as the machine has cores, and on
grids whose computed box reaches :data:`atlas.plume.regions.PARALLEL_CELLS` cells two workers on
2 cores then took twice as long (a 768^2 blob, 38 steps: 1.78 s each against 0.88 s on one
thread each; ``bench/results/ensemble-2026-11.txt``).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from atlas.ensemble.analytic import Strip, strip_of, strip_realizations
from atlas.ensemble.constraint import unmet_message
from atlas.ensemble.result import EnsembleResult, build_result
from atlas.ensemble.sampling import realize, sample
from atlas.ensemble.tally import Tally, merge
from atlas.errors import AtlasError
from atlas.observed import agreement, agrees_with_all, observed_mg_per_l
from atlas.plume.jit import numba_threads
from atlas.run import run_scenario
from atlas.scenario import Scenario
from atlas.scenario.uncertainty import Prior, Uncertainty

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "CONNECT_TIMEOUT_S",
    "EnsembleError",
    "KeepRule",
    "ensemble_client",
    "run_batch",
    "run_ensemble",
]

CONNECT_TIMEOUT_S = 5.0
"""How long to try to reach a scheduler given by address before giving up, in seconds."""

MAX_BATCH = 32
"""Most realizations in one task."""

KeepRule = Callable[[Any], bool]
"""Decides, on the worker, whether a realization's :class:`~atlas.result.PlumeResult` is
consistent with what was observed (observation constraints plug in here); module-level
functions only, so that they reach the workers."""


class EnsembleError(AtlasError):
    """An ensemble cannot be run: no ``[uncertainty]``, no plume, or no scheduler."""


def run_batch(
    scenario: Scenario,
    priors: tuple[Prior, ...],
    values: np.ndarray,
    first: int,
    keep: KeepRule | None = None,
    realizations: int = 2**32 - 1,
    strip: Strip | None = None,
) -> Tally:
    """Run realizations ``first, first + 1, ...`` (rows of ``values``) and tally them.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    priors : tuple of Prior
        The sampled parameters.
    values : numpy.ndarray, shape (k, n_priors)
        Their values in each realization of the batch.
    first : int
        Index of the batch's first realization.
    keep : callable, optional
        Whether a realization is kept (default: all are).
    realizations : int, optional
        Realizations of the whole ensemble: sets the integer type of the counts.
    strip : Strip, optional
        Given, the realizations are computed in closed form
        (:func:`atlas.ensemble.analytic.strip_realizations`) and kept when they agree with the
        scenario's observations (``keep`` is then not called); else each is run, on one of
        numba's threads (module notes).
    """
    thresholds = np.asarray(scenario.thresholds_mg_per_l, dtype=float)
    shape = (len(scenario.output_times_yr), *scenario.grid.shape)
    tally = Tally.empty(
        thresholds, shape, len(scenario.receptors), realizations, len(scenario.observations)
    )
    if strip is not None:
        fields, arrival, observed = strip_realizations(
            [realize(scenario, priors, row) for row in values], strip
        )
        agrees = np.asarray(agreement(scenario, observed).all(axis=1))
        for offset in range(len(values)):
            tally.add(
                first + offset,
                fields[offset],
                arrival[offset],
                keep=bool(agrees[offset]),
                observed_mg_per_l=observed[offset],
            )
        return tally
    with numba_threads(1):  # the workers are the parallelism (module notes)
        for offset, row in enumerate(values):
            result = run_scenario(realize(scenario, priors, row))
            tally.add(
                first + offset,
                result.dataset["concentration"].values,
                result.dataset["arrival_yr"].values.reshape(
                    len(scenario.receptors), thresholds.size
                ),
                keep=True if keep is None else bool(keep(result)),
                observed_mg_per_l=observed_mg_per_l(result),
            )
    return tally


def _check_address(address: str) -> None:
    """Refuse an address that is not ``scheme://host:port`` before trying to connect."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        _, location = parse_address(address, strict=True)
        parse_host_port(location)
    except ValueError as exc:
        raise EnsembleError(
            f"the Dask scheduler address {address!r} is not of the form tcp://host:port "
            f"({' '.join(str(exc).split())})"
        ) from None


@contextmanager
def ensemble_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A Dask client: to the scheduler at ``scheduler`` (else ``$DASK_SCHEDULER_ADDRESS``), or
    to a new :class:`distributed.LocalCluster` of ``workers`` processes (default: one per
    core) with one thread each, closed on exit.

    Raises
    ------
    EnsembleError
        When the scheduler cannot be reached within :data:`CONNECT_TIMEOUT_S` seconds.
    """
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if address is not None:
        _check_address(address)
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EnsembleError(
                f"cannot reach the Dask scheduler at {address!r} within {CONNECT_TIMEOUT_S:g} s "
                f"({' '.join(str(exc).split()) or type(exc).__name__}); check the address "
                "(tcp://host:port) and that the scheduler runs, or leave --scheduler and "
                "DASK_SCHEDULER_ADDRESS out to start a local cluster"
            ) from None
        with client:
            yield client
        return
    if workers is not None and workers < 1:
        raise EnsembleError(f"--workers must be >= 1, got {workers}")
    count = workers if workers is not None else os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",  # local only: nothing listens beyond this machine
            dashboard_address="127.0.0.1:0",  # its HTTP server on a free local port
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        yield client


def _batches(realizations: int, slots: int) -> list[tuple[int, int]]:
    size = max(1, min(MAX_BATCH, math.ceil(realizations / (4 * slots))))
    return [(a, min(a + size, realizations)) for a in range(0, realizations, size)]


def _reduce(
    client: Client,
    scenario: Scenario,
    priors: tuple[Prior, ...],
    samples: np.ndarray,
    keep: KeepRule | None,
    progress: Callable[[float], None] | None,
    strip: Strip | None,
) -> Tally:
    """Submit the batches a few at a time and merge their tallies pairwise as they finish."""
    from distributed import as_completed

    slots = max(1, sum(client.nthreads().values()))
    batches = _batches(len(samples), slots)
    [base] = client.scatter([scenario], broadcast=True)
    batch_keys: set[Any] = set()
    submitted = 0

    def submit_next() -> Any:
        nonlocal submitted
        a, b = batches[submitted]
        submitted += 1
        future = client.submit(
            run_batch, base, priors, samples[a:b], a, keep, len(samples), strip, pure=False
        )
        batch_keys.add(future.key)
        return future

    first_batches = [submit_next() for _ in range(min(2 * slots, len(batches)))]
    in_flight = as_completed(first_batches, loop=client.loop)
    ready: list[Any] = []
    done = 0
    for future in in_flight:
        if future.key in batch_keys:
            done += 1
            if progress is not None:
                progress(done / len(batches))
            if submitted < len(batches):
                in_flight.add(submit_next())
        ready.append(future)
        while len(ready) >= 2:  # merged on a worker; the order does not change the sum
            first, second = ready.pop(), ready.pop()
            in_flight.add(client.submit(merge, first, second, pure=False))
    [last] = ready
    tally = last.result()
    if not isinstance(tally, Tally):  # pragma: no cover - a task's result is always a Tally
        raise EnsembleError("a task returned something else than a tally")
    return tally


def run_ensemble(
    scenario: Scenario,
    *,
    realizations: int | None = None,
    seed: int | None = None,
    client: Client | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    keep: KeepRule | None = None,
    progress: Callable[[float], None] | None = None,
    analytic: bool = True,
) -> EnsembleResult:
    """Run a scenario's ensemble on Dask (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        With an ``[uncertainty]`` section and a source or initial plume.
    realizations, seed : int, optional
        Override the scenario's ``uncertainty.realizations`` (> 0) and ``uncertainty.seed``.
    client : distributed.Client, optional
        Run on this client; else one from :func:`ensemble_client` (``scheduler``,
        ``workers``), closed at the end.
    workers : int, optional
        Worker processes of the local cluster (default: one per core).
    scheduler : str, optional
        Address of a running scheduler, ``tcp://host:port``.
    keep : callable, optional
        Rejection rule (:data:`KeepRule`); default: the scenario's observations
        (:func:`atlas.observed.agrees_with_all`), so that without observations every
        realization is kept.
    progress : callable, optional
        Called with the fraction of realizations done, in [0, 1].
    analytic : bool, optional
        Take the exact closed form when the scenario is a strip
        (:func:`atlas.ensemble.analytic.strip_of`) and ``keep`` is the observations' rule
        (default); False runs every realization numerically.

    Returns
    -------
    EnsembleResult
        The same for the same scenario and seed, whatever the workers.

    Raises
    ------
    EnsembleError
        Without ``[uncertainty]``, without a plume, with a bad override, when the scheduler
        cannot be reached, or when ``keep`` rejects every realization.
    """
    uncertainty = _uncertainty(scenario, realizations, seed)
    samples = sample(uncertainty, uncertainty.realizations, uncertainty.seed)
    base = replace(scenario, uncertainty=None)  # each task gets the scenario without priors
    strip = None
    if analytic and keep is None:
        strip = strip_of(base, uncertainty.priors)
    if keep is None and scenario.observations:
        keep = agrees_with_all
    work = (base, uncertainty.priors, samples, keep, progress, strip)
    if client is not None:
        tally = _reduce(client, *work)
    else:
        with ensemble_client(scheduler, workers) as own:
            tally = _reduce(own, *work)
    if tally.kept == 0:
        if keep is agrees_with_all:  # the observations decided: name them
            observed = tally.in_order().observed_mg_per_l
            raise EnsembleError(unmet_message(scenario, observed, agreement(scenario, observed)))
        raise EnsembleError(
            f"none of the {uncertainty.realizations} realizations is consistent with the "
            "keep rule: widen the priors, or check the rule"
        )
    return build_result(
        replace(scenario, uncertainty=uncertainty),
        samples,
        tally,
        seed=uncertainty.seed,
        analytic=strip is not None,
    )


def _uncertainty(scenario: Scenario, realizations: int | None, seed: int | None) -> Uncertainty:
    """The scenario's uncertainty with the overrides, checked."""
    where = "" if scenario.path is None else f"{scenario.path}: "
    if scenario.uncertainty is None:
        raise EnsembleError(
            f"{where}no [uncertainty] section; add one with realizations and a prior per "
            "uncertain parameter (see the README, Ensembles)"
        )
    if not scenario.sources and scenario.initial is None:
        raise EnsembleError(f"{where}flow only: an ensemble needs a [[source]] or [initial]")
    if realizations is not None and realizations <= 0:
        raise EnsembleError(f"--realizations must be > 0, got {realizations}")
    if seed is not None and seed < 0:
        raise EnsembleError(f"--seed must be >= 0, got {seed}")
    return replace(
        scenario.uncertainty,
        realizations=scenario.uncertainty.realizations if realizations is None else realizations,
        seed=scenario.uncertainty.seed if seed is None else seed,
    )
