"""Groundwater plume numerics: steady flow, solute transport and analytic references.

Pure functions on numpy arrays of shape ``(ny, nx)`` (row 0 = south edge, +x = east); no file
I/O. See :mod:`atlas.plume.flow` for the grid and face-velocity conventions. Compiled kernels
are cached on disk per version of this package's source (:mod:`atlas.plume.jit`).
"""

import atlas.plume.jit  # noqa: F401  (first: points numba's cache before any kernel exists)
from atlas.plume.analytic import (
    continuous_point_2d,
    instantaneous_block_2d,
    instantaneous_point_2d,
    ogata_banks,
    ogata_banks_flux,
)
from atlas.plume.flow import (
    cell_velocities,
    darcy_face_velocities,
    steady_heads,
    uniform_face_velocities,
)
from atlas.plume.sources import FixedConcentrationSource, MassRateSource
from atlas.plume.transport import TransportParameters, TransportResult, simulate

__all__ = [
    "FixedConcentrationSource",
    "MassRateSource",
    "TransportParameters",
    "TransportResult",
    "cell_velocities",
    "continuous_point_2d",
    "darcy_face_velocities",
    "instantaneous_block_2d",
    "instantaneous_point_2d",
    "ogata_banks",
    "ogata_banks_flux",
    "simulate",
    "steady_heads",
    "uniform_face_velocities",
]
