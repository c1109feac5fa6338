"""The default priors of the site screening (:mod:`atlas.screening`), each with its source.

One nominal source is placed at every site; nothing here is measured at any site. Every range
says where it comes from, and says **assumption** where the range is a choice. Sources named
``HYDROGEOLOGY.md`` are in the shared data notes (``../shared/data/HYDROGEOLOGY.md``); the
scenario files are ``scenarios/*.toml`` with their ``[provenance]`` tables.

The seepage velocity is not sampled directly: ``v = K i / n_e`` from the three priors below, so
each range keeps its own source. Its median is about 25 m/yr, the often-repeated 20-30 m/yr of
Baotou; its 5-95 % range is about 2-300 m/yr, which holds the ~220 m/yr that the Baotou
"reached the river bank by 2020" report implies (HYDROGEOLOGY.md 1.5). K and i are independent
here, although steep gradients and permeable aquifers seldom go together, so the fast tail
(about 1.4 % of draws above 500 m/yr) is heavier than nature's; it is what gives sites far
(100 km and more) from mapped water their small 500-year probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from atlas.errors import AtlasError

__all__ = ["DEFAULT_PRIORS", "Prior", "ScreeningPriors"]

Distribution = Literal["fixed", "uniform", "loguniform"]


@dataclass(frozen=True)
class Prior:
    """One parameter's prior: a distribution on ``[low, high]`` and where the range comes from.

    Parameters
    ----------
    distribution : {"fixed", "uniform", "loguniform"}
        ``fixed`` takes ``low`` (``high`` must equal it); ``loguniform`` is uniform in log.
    low, high : float
        Bounds, in the unit of the parameter (named in the field of :class:`ScreeningPriors`).
    source : str
        The publication or file the range comes from, or ``"assumption: ..."`` and why.
    """

    distribution: Distribution
    low: float
    high: float
    source: str

    @classmethod
    def fixed(cls, value: float, source: str) -> Prior:
        """A degenerate prior: always ``value``."""
        return cls("fixed", value, value, source)

    def sample(self, u: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map uniform numbers in [0, 1) (one Latin hypercube column) onto this prior."""
        if self.distribution == "fixed" or self.low == self.high:
            return np.full(u.shape, float(self.low))
        if self.distribution == "uniform":
            return self.low + (self.high - self.low) * u
        return self.low * (self.high / self.low) ** u


@dataclass(frozen=True)
class ScreeningPriors:
    """The priors of the screening; the field names carry the units.

    The order of the fields is the order of the Latin hypercube's columns, so it is part of
    what makes a seed reproducible: append new fields, never reorder.
    """

    hydraulic_conductivity_m_per_day: Prior
    hydraulic_gradient: Prior
    effective_porosity: Prior
    longitudinal_dispersivity_per_distance: Prior
    transverse_to_longitudinal_dispersivity: Prior
    source_width_m: Prior
    retardation: Prior
    decay_per_yr: Prior
    flow_direction_offset_deg: Prior
    threshold_fraction: float = 0.01
    threshold_source: str = ""

    def __post_init__(self) -> None:
        problems = []
        for name, prior in self.priors().items():
            low, high = prior.low, prior.high
            if not (math.isfinite(low) and math.isfinite(high) and low <= high):
                problems.append(f"{name}: bounds [{low!r}, {high!r}] must be finite, low <= high")
            elif prior.distribution == "fixed" and low != high:
                problems.append(f"{name}: a fixed prior needs low == high, got [{low}, {high}]")
            elif prior.distribution == "loguniform" and low <= 0:
                problems.append(f"{name}: a loguniform prior needs low > 0, got {low}")
            elif low < _MINIMUM[name][0] or high > _MINIMUM[name][1]:
                lo, hi = _MINIMUM[name]
                problems.append(f"{name}: [{low}, {high}] outside the physical range [{lo}, {hi}]")
        if not 0 < self.threshold_fraction < 1:
            problems.append(f"threshold_fraction must be in (0, 1), got {self.threshold_fraction}")
        if problems:
            raise AtlasError("screening priors: " + "; ".join(problems))

    def priors(self) -> dict[str, Prior]:
        """Every prior by name, in Latin hypercube column order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in ("Prior", Prior)}

    def sample(self, u: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
        """Every parameter for the rows of ``u`` (``realizations x len(priors())``, in [0, 1))."""
        return {
            name: prior.sample(u[:, k]) for k, (name, prior) in enumerate(self.priors().items())
        }

    def degenerate(self, **values: float) -> ScreeningPriors:
        """A copy with the named priors fixed at the given values (for tests and what-ifs)."""
        fixed: dict[str, Prior] = {}
        for name, value in values.items():
            if name not in self.priors():
                raise AtlasError(f"screening priors: no prior named {name!r}")
            fixed[name] = Prior.fixed(value, "fixed by the caller")
        return replace(self, **fixed)  # type: ignore[arg-type]

    def table(self) -> pd.DataFrame:
        """The priors as a table: parameter, distribution, low, high, source."""
        rows = [
            (name, p.distribution, p.low, p.high, p.source) for name, p in self.priors().items()
        ]
        rows.append(
            (
                "threshold_fraction",
                "fixed",
                self.threshold_fraction,
                self.threshold_fraction,
                self.threshold_source,
            )
        )
        return pd.DataFrame(rows, columns=["parameter", "distribution", "low", "high", "source"])


_MINIMUM: dict[str, tuple[float, float]] = {
    "hydraulic_conductivity_m_per_day": (1e-9, 1e5),
    "hydraulic_gradient": (1e-9, 1.0),
    "effective_porosity": (1e-3, 1.0),
    "longitudinal_dispersivity_per_distance": (1e-6, 1.0),
    "transverse_to_longitudinal_dispersivity": (1e-6, 1.0),
    "source_width_m": (1e-3, 1e6),
    "retardation": (1.0, 1e9),
    "decay_per_yr": (0.0, 1e3),
    "flow_direction_offset_deg": (-180.0, 180.0),
}
"""Physical bounds of every prior: a range outside them is an error."""

DEFAULT_PRIORS = ScreeningPriors(
    hydraulic_conductivity_m_per_day=Prior(
        "loguniform",
        0.5,
        50.0,
        "fine sand to sand and gravel: Freeze, R. A. and Cherry, J. A. (1979), Groundwater, "
        "Prentice-Hall, Table 2.2 (clean sand 1e-6 to 1e-2 m/s); it holds the 4.3 m/d (fine to "
        "medium sand) and 38 m/d (sand and gravel) of the Baotou Darcy check (HYDROGEOLOGY.md "
        "1.5) and the 3 m/d of scenarios/mountain_pass.toml; cut at 0.5-50 m/d [assumption: "
        "the aquifer is unconsolidated and permeable enough to carry a plume]",
    ),
    hydraulic_gradient=Prior(
        "loguniform",
        0.001,
        0.01,
        "assumption: regional water-table gradients of 1-10 per mille; it holds the 4 per mille "
        "average ground slope at Baotou (Yu et al. 2015, HYDROGEOLOGY.md 1.2) and the 5 per "
        "mille assumed in scenarios/mountain_pass.toml",
    ),
    effective_porosity=Prior(
        "uniform",
        0.15,
        0.30,
        "assumption: generic for sand, gravel and alluvium (Freeze and Cherry 1979, Table 2.4 "
        "porosities of sand and gravel 0.25-0.50, less for effective porosity); the scenarios "
        "use 0.25 (Baotou) and 0.2 (Mountain Pass)",
    ),
    longitudinal_dispersivity_per_distance=Prior(
        "loguniform",
        0.001,
        0.1,
        "alpha_L = this x the distance to the water: Gelhar, L. W., Welty, C. and Rehfeldt, K. R. "
        "(1992), Water Resour. Res. 28(7):1955-1974, field data lie within about two orders of "
        "magnitude below alpha_L = 0.1 L; the scenarios use 0.01 L (Baotou, 100 m over ~12 km) "
        "and 0.025 L (Mountain Pass, 50 m over ~2 km)",
    ),
    transverse_to_longitudinal_dispersivity=Prior(
        "loguniform",
        0.03,
        0.3,
        "assumption around the usual alpha_T = 0.1 alpha_L of the scenarios; Gelhar et al. "
        "(1992) report horizontal transverse dispersivities typically an order of magnitude "
        "below the longitudinal ones",
    ),
    source_width_m=Prior(
        "loguniform",
        100.0,
        3000.0,
        "assumption: the width of a nominal source across the flow, from a heap or pit of a "
        "few hundred metres (the 1,500 ft open pit at Mountain Pass, Sierra Club 2011, "
        "HYDROGEOLOGY.md 2; the 500 m pond of scenarios/mountain_pass.toml) to the ~3 km "
        "minor axis of the 11 km2 Baotou pond ellipse (layers/tailings_pond.gpkg)",
    ),
    retardation=Prior.fixed(
        1.0,
        "assumption: a conservative solute (sulfate, chloride, salinity), the constituents "
        "measured furthest above their limits near Baotou (HYDROGEOLOGY.md 1.3) and modelled "
        "in both shipped scenarios with R = 1",
    ),
    decay_per_yr=Prior.fixed(
        0.0,
        "assumption: no decay (conservative solute, as in the scenarios); the worst case",
    ),
    flow_direction_offset_deg=Prior(
        "uniform",
        -180.0,
        180.0,
        "assumption: no knowledge of the regional flow direction; used only by the "
        "*_uniform_direction columns (the main columns take the worst case: flow straight "
        "toward the nearest water, offset 0)",
    ),
    threshold_fraction=0.01,
    threshold_source=(
        "assumption: 'reaches' = C >= 1 % of the source concentration at the nearest point of "
        "the water (a 100-fold dilution); with the Baotou sulfate source of 2,725 mg/L it is "
        "27 mg/L, the 25 mg/L first-detection level of scenarios/baotou.toml; with the 20,000 "
        "mg/L salinity assumed at Mountain Pass it is 200 mg/L, below the 500 mg/L US EPA "
        "secondary standard for total dissolved solids"
    ),
)
"""The documented default priors of ``atlas screen``."""
