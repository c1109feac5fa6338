"""The validated scenario: frozen dataclasses with units in every name."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from atlas.grid import Grid, single_parts

if TYPE_CHECKING:
    from atlas.scenario.uncertainty import Uncertainty

__all__ = [
    "SCHEMA_VERSION",
    "Aquifer",
    "FixedHead",
    "GridRaster",
    "HeadDrivenFlow",
    "InitialConcentration",
    "Named",
    "Observation",
    "Receptor",
    "Scenario",
    "Solver",
    "Source",
    "UniformFlow",
]

SCHEMA_VERSION = 1
"""The scenario file format this package reads."""

_PHYSICAL_SECTIONS = ("aquifer.", "flow.", "source.", "initial.", "receptor.", "observation.")


class Named:
    """A named item of a scenario (source, receptor, fixed head, observation): its ``name``
    identifies it in files, keys and data; its optional ``label`` is how pages and charts
    name it (``label = "Yellow River"`` in the file)."""

    name: str
    label: str

    @property
    def display_name(self) -> str:
        """How pages and charts name it: its label, else its name with spaces for
        underscores (``yellow_river`` -> "yellow river")."""
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class GridRaster:
    """A raster input, resampled onto the scenario grid.

    Parameters
    ----------
    path : pathlib.Path
        The file it was read from.
    values : numpy.ndarray, shape (ny, nx)
        Its values at the grid cells, y-up (row 0 = south), no NaN.
    """

    path: Path
    values: np.ndarray = field(compare=False, repr=False)


@dataclass(frozen=True)
class Aquifer:
    """Aquifer properties (one layer, depth-averaged).

    Attributes
    ----------
    effective_porosity : float
        Fraction in (0, 1].
    thickness_m : float
        Saturated thickness in metres (turns concentrations into masses).
    longitudinal_dispersivity_m, transverse_dispersivity_m : float
        Dispersivities in metres.
    hydraulic_conductivity_m_per_day : float or GridRaster or None
        In m/d; required for head-driven flow.
    retardation : float
        Retardation factor (>= 1; 1 = conservative solute).
    half_life_yr : float or None
        First-order decay half-life in years; None = no decay.
    molecular_diffusion_m2_per_yr : float
        Effective molecular diffusion in m²/yr.
    """

    effective_porosity: float
    thickness_m: float
    longitudinal_dispersivity_m: float
    transverse_dispersivity_m: float
    hydraulic_conductivity_m_per_day: float | GridRaster | None = None
    retardation: float = 1.0
    half_life_yr: float | None = None
    molecular_diffusion_m2_per_yr: float = 0.0


@dataclass(frozen=True)
class UniformFlow:
    """A uniform seepage velocity: ``velocity_m_per_yr`` toward azimuth ``direction_deg``
    (degrees clockwise from north)."""

    velocity_m_per_yr: float
    direction_deg: float


@dataclass(frozen=True)
class FixedHead(Named):
    """Cells held at ``head_m`` (metres) by a river, lake or boundary ``geometry``."""

    name: str
    geometry: BaseGeometry
    head_m: float
    label: str = ""


@dataclass(frozen=True)
class HeadDrivenFlow:
    """Steady heads from fixed-head cells and areal recharge (mm/yr); no-flow elsewhere."""

    fixed_heads: tuple[FixedHead, ...]
    recharge_mm_per_yr: float = 0.0


@dataclass(frozen=True)
class Source(Named):
    """A contaminant source: a fixed concentration (mg/L) or a mass rate (kg/yr), active
    from ``start_yr`` to ``end_yr`` (years since t = 0; ``end_yr`` None = to the horizon).

    It may also leak water, ``leakage_mm_per_yr`` over its area or ``leakage_m3_per_day`` in
    all, shared by wells as their mass rate is (at most one of them): recharge under it in
    the steady flow (a mound), for the whole run (see :func:`atlas.run.flow_field`).
    """

    name: str
    geometry: BaseGeometry
    concentration_mg_per_l: float | None
    mass_rate_kg_per_yr: float | None
    start_yr: float = 0.0
    end_yr: float | None = None
    leakage_mm_per_yr: float | None = None
    leakage_m3_per_day: float | None = None
    label: str = ""

    @property
    def leaks(self) -> bool:
        """Whether the source adds water to the aquifer (a leakage above 0)."""
        return bool(self.leakage_mm_per_yr or self.leakage_m3_per_day)

    @property
    def at_points(self) -> bool:
        """Whether every part of the geometry is a point (wells): a mass rate is then shared
        evenly by the wells (:meth:`atlas.grid.Grid.count_points`) and enters at the centres of
        the cells they touch, an area's (or a mixed geometry's) spread evenly over its cells
        (:mod:`atlas.plume.sources`). Parts are read as :meth:`atlas.grid.Grid.rasterize`
        reads them, through a collection of multi-part geometries. A point given twice counts
        twice (the reader warns); a layer's repeated points are merged, as it is read as the
        union of its features."""
        return all(isinstance(part, Point) for part in single_parts(self.geometry))


@dataclass(frozen=True)
class InitialConcentration:
    """Concentration at t = 0: a raster (mg/L), or ``concentration_mg_per_l`` inside
    ``geometry`` and 0 elsewhere."""

    raster: GridRaster | None = None
    geometry: BaseGeometry | None = None
    concentration_mg_per_l: float | None = None


@dataclass(frozen=True)
class Receptor(Named):
    """A river, lake or well where arrival times of concentrations >= each threshold (mg/L)
    are reported."""

    name: str
    geometry: BaseGeometry
    thresholds_mg_per_l: tuple[float, ...]
    label: str = ""

    @property
    def in_sentence(self) -> str:
        """How a sentence names it: "the" and its display name ("reaches the Yellow River"),
        or a label that begins with "The" as it is, that word in lower case."""
        name = self.display_name
        if name.startswith("The "):
            return "t" + name[1:]
        return name if name.startswith("the ") else f"the {name}"


@dataclass(frozen=True)
class Observation(Named):
    """What was seen at a place and time, against which realizations are kept or rejected.

    Attributes
    ----------
    name : str
        Unique among the scenario's observations.
    geometry : BaseGeometry
        Where (usually a point), in the scenario CRS; the modelled value is the highest
        concentration in the cells it covers.
    time_yr : float
        When, in years since t = 0 (``year - start_year`` when given as a calendar year: the
        start of that year).
    threshold_mg_per_l : float
        The concentration the observation is about, mg/L.
    detected : bool
        True: the modelled concentration must be >= the threshold (``min_concentration_mg_per_l``
        or ``detected = true``); False: it must stay below it (``detected = false``).
    year : int or None
        The calendar year as written, when given as one.
    max_head_rise_m : float or None
        Given, the observation is of the water table instead: the leakage mound's height (m,
        relative to the grid edge's mean; :func:`atlas.run.mound_m`) in the cells it covers
        must stay <= this (``threshold_mg_per_l`` and ``detected`` then unused).
    label : str
        How pages name it (:attr:`Named.display_name`); empty: from its name.
    """

    name: str
    geometry: BaseGeometry
    time_yr: float
    threshold_mg_per_l: float
    detected: bool
    year: int | None = None
    max_head_rise_m: float | None = None
    label: str = ""

    @property
    def unit(self) -> str:
        """The unit of its modelled value: ``"m"`` for a head rise, else ``"mg/L"``."""
        return "mg/L" if self.max_head_rise_m is None else "m"

    def met(self, value: np.ndarray | float) -> np.ndarray:
        """Whether modelled values (concentrations in mg/L, or head rises in m) agree with
        the observation."""
        if self.max_head_rise_m is not None:
            return np.asarray(value) <= self.max_head_rise_m
        reached = np.asarray(value) >= self.threshold_mg_per_l
        return reached if self.detected else ~reached

    def describe(self) -> str:
        """The observation in words, e.g. ``>= 250 mg/L in 1995``."""
        when = f"in {self.year}" if self.year is not None else f"at year {self.time_yr:g}"
        if self.max_head_rise_m is not None:
            return f"head rise <= {self.max_head_rise_m:g} m {when}"
        sign = ">=" if self.detected else "<"
        return f"{sign} {self.threshold_mg_per_l:g} mg/L {when}"


@dataclass(frozen=True)
class Solver:
    """Numerical choices of the transport solver (the ``[solver]`` section).

    Attributes
    ----------
    dispersion_order : {2, 4}
        Order in space of the dispersion between cells
        (:func:`atlas.plume.transport.simulate`). 2 (the default): three-point exchanges,
        which make a plume only one or two cells wide peakier than a Gaussian (on MT3DMS
        problem 3's 10 m cells, 11 % above the analytic cell mean two cells from the well; on
        2 m cells within 1 %). 4: adds the fluxes that cancel that error, limited so that
        bounds and mass are kept (:mod:`atlas.plume.fourth_order`): within 3 % of the cell
        means there, for 1.4 to 2 times the time of a run. Not yet the default: its limiter
        adds a little variance where a plume's edge meets clean water (0.15 % for a well in
        still water over 24 steps), and its time error falls as the steps' square only once
        they are fine. Plumes many cells wide barely change (Baotou's arrival at the Yellow
        River moves by 0.15 yr in 334).
    """

    dispersion_order: int = 2


@dataclass(frozen=True)
class Scenario:
    """A validated plume scenario, its geometries in ``crs`` and its rasters on ``grid``.

    Attributes
    ----------
    sources : tuple of Source
        Possibly empty: with no source and no :attr:`initial` concentration the scenario is
        flow only (heads and velocities).
    receptors : tuple of Receptor
        Possibly empty, with or without sources.
    provenance : dict of str to str
        Source or stated assumption per key (``"aquifer.effective_porosity"``).
    parameter_keys : tuple of str
        Every key that sets a model input, for provenance checks (:attr:`undocumented`).
    document_json : str
        The parsed file as canonical JSON (comments dropped): part of the inputs' hash.
    referenced_files : tuple of pathlib.Path
        Raster files the scenario reads.
    uncertainty : Uncertainty or None
        The ``[uncertainty]`` section (:mod:`atlas.scenario.uncertainty`): the priors of an
        ensemble (``atlas ensemble``); None when the file has none. A plain run ignores it.
    observations : tuple of Observation
        ``[[observation]]`` entries (:mod:`atlas.scenario.observations`): a run reports
        whether it agrees with each; an ensemble keeps only the realizations that agree with
        all of them.
    solver : Solver
        The ``[solver]`` section (defaults when the file has none).
    """

    name: str
    crs: CRS
    grid: Grid
    aquifer: Aquifer
    flow: UniformFlow | HeadDrivenFlow
    sources: tuple[Source, ...]
    receptors: tuple[Receptor, ...]
    output_times_yr: tuple[float, ...]
    arrival_resolution_yr: float
    start_year: int | None = None
    initial: InitialConcentration | None = None
    description: str = ""
    title: str = ""
    provenance: Mapping[str, str] = field(default_factory=dict)
    parameter_keys: tuple[str, ...] = ()
    path: Path | None = None
    referenced_files: tuple[Path, ...] = ()
    document_json: str = "{}"
    uncertainty: Uncertainty | None = None
    observations: tuple[Observation, ...] = ()
    solver: Solver = Solver()

    @property
    def display_title(self) -> str:
        """How pages name the scenario: its ``title`` ("Baotou: the fast path"), else its
        name, which stays the identifier of its files, folders and data."""
        return self.title or self.name

    @property
    def horizon_yr(self) -> float:
        """The last output time, in years since t = 0."""
        return self.output_times_yr[-1]

    @property
    def conductivity_m_per_day(self) -> np.ndarray | None:
        """Hydraulic conductivity on the grid, in m/d, y-up (a raster's values or the one
        number in every cell); None when the scenario gives none."""
        value = self.aquifer.hydraulic_conductivity_m_per_day
        if isinstance(value, GridRaster):
            return value.values
        return None if value is None else np.full(self.grid.shape, value)

    def receptor(self, name: str) -> Receptor:
        """The receptor called ``name`` (KeyError if none is)."""
        for receptor in self.receptors:
            if receptor.name == name:
                return receptor
        raise KeyError(name)

    @property
    def thresholds_mg_per_l(self) -> tuple[float, ...]:
        """Every receptor's thresholds, in mg/L, each once, ascending."""
        return tuple(sorted({t for r in self.receptors for t in r.thresholds_mg_per_l}))

    @property
    def undocumented(self) -> tuple[str, ...]:
        """Physical parameter keys with no provenance entry (neither the key nor a parent)."""

        def documented(key: str) -> bool:
            parts = key.split(".")
            return any(".".join(parts[:n]) in self.provenance for n in range(1, len(parts) + 1))

        return tuple(
            key
            for key in self.parameter_keys
            if key.startswith(_PHYSICAL_SECTIONS) and not documented(key)
        )

    def geometry_sha256(self) -> str:
        """sha256 of every resolved geometry (WKB): covers the layers the scenario reads."""
        digest = hashlib.sha256()
        named: list[tuple[str, BaseGeometry]] = [
            *((s.name, s.geometry) for s in self.sources),
            *((r.name, r.geometry) for r in self.receptors),
            *((o.name, o.geometry) for o in self.observations),
        ]
        if isinstance(self.flow, HeadDrivenFlow):
            named += [(item.name, item.geometry) for item in self.flow.fixed_heads]
        if self.initial is not None and self.initial.geometry is not None:
            named.append(("initial", self.initial.geometry))
        for name, geometry in named:
            digest.update(name.encode() + shapely.to_wkb(geometry, output_dimension=2))
        return digest.hexdigest()
