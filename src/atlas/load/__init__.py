"""The only place that reads ``layers/``: find the data root, read and validate layers.

>>> from atlas.load import find_root, load_layers
>>> layers = load_layers(find_root())          # doctest: +SKIP
>>> layers.sites.crs.to_epsg()                 # doctest: +SKIP
4326
"""

from atlas.load.layers import LAYERS, Layers, load_layers, read_layer
from atlas.load.read import read_table, read_vector
from atlas.load.root import ROOT_ENV_VAR, find_root
from atlas.load.spec import LINES, POINTS, POLYGONS, ColumnKind, LayerSpec

__all__ = [
    "LAYERS",
    "LINES",
    "POINTS",
    "POLYGONS",
    "ROOT_ENV_VAR",
    "ColumnKind",
    "LayerSpec",
    "Layers",
    "find_root",
    "load_layers",
    "read_layer",
    "read_table",
    "read_vector",
]
