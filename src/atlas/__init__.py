"""atlas: rare-earth mines, their tailings, and the groundwater plumes they leave behind.

The public API: :func:`load_scenario` reads and validates a plume scenario, :func:`project`
runs it into an :class:`xarray.Dataset`; :mod:`atlas.load` reads the layers and
:mod:`atlas.joins` joins sites to their surroundings.
"""

__version__ = "0.1.0"  # before the imports: modules below record it in their outputs

from atlas.errors import AtlasError
from atlas.run import project
from atlas.scenario import Scenario, load_scenario

__all__ = ["AtlasError", "Scenario", "load_scenario", "project"]
