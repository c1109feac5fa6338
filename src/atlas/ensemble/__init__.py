"""Monte Carlo ensembles of a plume scenario: priors sampled by Latin hypercube, realizations
run as tasks on ``dask.distributed`` and reduced on the workers.

* :mod:`atlas.ensemble.sampling` — the samples of the priors, each realization's scenario;
* :mod:`atlas.ensemble.tally` — running counts and histograms, merged in any order;
* :mod:`atlas.ensemble.engine` — the tasks, the cluster, the reduction;
* :mod:`atlas.ensemble.result` — :class:`EnsembleResult`, what every writer takes.
"""

from atlas.ensemble.engine import EnsembleError, ensemble_client, run_ensemble
from atlas.ensemble.result import EnsembleResult

__all__ = ["EnsembleError", "EnsembleResult", "ensemble_client", "run_ensemble"]
