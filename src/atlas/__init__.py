"""atlas: rare-earth mines, their tailings, and the groundwater plumes they leave behind."""

from atlas.errors import AtlasError

__all__ = ["AtlasError"]
__version__ = "0.1.0"
