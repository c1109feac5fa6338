"""Heterogeneous aquifers built in code, for the tests of the heads solvers."""

from __future__ import annotations

import numpy as np

from atlas.plume import flow

Aquifer = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(K m/day, fixed heads m (NaN where free), recharge m/yr)``."""


def heterogeneous_aquifer(ny: int, nx: int, seed: int = 7) -> Aquifer:
    """Log-normal K (sigma of ln K 1.5, correlated over a few cells), fixed heads on two edges
    and a river reach inside, uneven recharge."""
    rng = np.random.default_rng(seed)
    log_k = rng.normal(0.0, 1.0, (ny + 4, nx + 4))
    log_k = sum(np.roll(np.roll(log_k, a, 0), b, 1) for a in range(-2, 3) for b in range(-2, 3))
    log_k = log_k[2:-2, 2:-2]
    k = np.exp(1.0 + 1.5 * log_k / log_k.std())
    fixed = np.full((ny, nx), np.nan)
    fixed[:, 0], fixed[:, -1] = 1052.0, 1003.0
    fixed[ny // 3, nx // 2 : nx // 2 + 6] = 1011.0
    recharge = rng.uniform(0.0, 0.1, (ny, nx))
    return k, fixed, recharge


def recharged_aquifer_with_one_river(ny: int, nx: int, seed: int) -> Aquifer:
    """The heterogeneous aquifer drained by one river along the west edge: recharge alone drives
    the flow, and round-off keeps even the exact heads' ``|b - A h|`` above 1e-11 ``|b|``."""
    k, fixed, recharge = heterogeneous_aquifer(ny, nx, seed=seed)
    fixed[:] = np.nan
    fixed[:, 0] = 1003.0
    return k, fixed, recharge


def amg_heads(k: np.ndarray, fixed: np.ndarray, recharge: np.ndarray | float) -> np.ndarray:
    """AMG heads (m) with 20 m of thickness and 25 m cells."""
    return flow.steady_heads(k, 20.0, 25.0, fixed, recharge, solver="amg")
