"""atlas: rare-earth mines, their tailings, and the groundwater plumes they leave behind.

The public API: :func:`load_scenario` reads and validates a plume scenario, :func:`run_scenario`
runs it into a :class:`PlumeResult` (its CF :class:`xarray.Dataset`, isochrones, arrivals,
flow at the source and assumptions); :mod:`atlas.load` reads the layers and
:mod:`atlas.joins` joins sites to their surroundings.
"""

__version__ = "0.1.0"  # before the imports: modules below record it in their outputs

from atlas.errors import AtlasError
from atlas.result import PlumeResult
from atlas.run import run_scenario
from atlas.scenario import Scenario, load_scenario

__all__ = ["AtlasError", "PlumeResult", "Scenario", "load_scenario", "run_scenario"]
