"""First-order screening of every site: how likely a plume from there reaches the nearest water.

For every located site of the layers (the USGS rare-earth sites and the curated mines, ponds and
deposits; reference towns and cities are left out), :func:`screen_sites` finds the nearest river
or lake (Natural Earth 1:10m and 1:50m) with its distance and grid bearing, measured in the
site's UTM zone (:func:`atlas.joins.join_nearest`), and the probability that a plume from a
**nominal** source at the site reaches it within 50, 100 and 500 years.

The model, for one realization: a strip source of width ``W`` (the site point on its downstream
edge) holds a fixed concentration ``C0`` from ``t = 0`` in a homogeneous aquifer with uniform
seepage velocity ``v = K i / n_e`` and dispersivities ``alpha_L = f d`` (scale-dependent, ``d``
the distance to the water) and ``alpha_T``; the exact 2-D solution is Wexler's (1992),
:func:`atlas.plume.strip.strip_source_2d_horizons`. The plume **reaches** the water when
``C >= threshold_fraction x C0`` at its nearest point. The parameters are drawn from
:data:`atlas.screening_priors.DEFAULT_PRIORS` by Latin hypercube sampling; one design of
``realizations`` parameter sets is shared by every site (common random numbers), so sites are
compared under the same draws. Flow direction: the ``p_reach_*`` columns assume the flow goes
straight toward the nearest water, the plume's centreline on its nearest point (the conventional
worst case, and where groundwater discharges to rivers and lakes a likely direction too); the
``*_uniform_direction`` columns take a direction uniform over the circle, with the water's
nearest point still the receptor (so a lower bound for the water body as a whole, which a plume
flowing elsewhere may still meet). With 1,000 realizations the sampling error of a probability
is at most about 0.016 (one standard error, less with Latin hypercube sampling).

It is a screening: modelled from default priors, not measured, not calibrated, not a site
assessment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import qmc

from atlas.crs import WGS84
from atlas.errors import AtlasError, OutputError
from atlas.joins import join_nearest
from atlas.load import Layers
from atlas.plume.strip import strip_source_2d_horizons
from atlas.screening_priors import DEFAULT_PRIORS, ScreeningPriors

__all__ = [
    "COLUMNS",
    "DEFAULT_REALIZATIONS",
    "DEFAULT_SEED",
    "HORIZONS_YR",
    "METHOD",
    "OUTPUT_SUFFIXES",
    "SCREENING_LABEL",
    "check_output_path",
    "nearest_water_label",
    "reach_probabilities",
    "screen_sites",
    "screening_sites",
    "water_features",
    "write_screening",
]

HORIZONS_YR = (50, 100, 500)
"""The time horizons of the probabilities, in years since the nominal source started."""

DEFAULT_REALIZATIONS = 1000
DEFAULT_SEED = 7

DAYS_PER_YEAR = 365.25
"""To turn K in m/d into m/yr."""

METHOD = (
    "exact 2-D strip source (Wexler 1992) in uniform flow, Latin hypercube Monte Carlo over "
    "the default priors (atlas.screening_priors), one design shared by all sites"
)

SCREENING_LABEL = (
    "MODELLED screening, not a site assessment: a nominal source under default priors, "
    "not measured, not calibrated"
)

OUTPUT_SUFFIXES = (".csv", ".geojson", ".parquet")

WATER_LAYERS = ("rivers_10m", "rivers_50m", "lakes_10m", "lakes_50m")
"""Layers searched for the nearest water; the 1:10m ones only cover boxes around the curated
sites, the 1:50m ones the world."""

CURATED_DATASET = "atlas curated sites (layers/sites.csv)"
REFERENCE_KINDS = r"\b(?:town|city)\b"
"""Curated kinds that are places, not sources: left out of the screening."""

COLUMNS = [
    "site_id",
    "site_name",
    "dataset",
    "longitude_deg",
    "latitude_deg",
    "utm_epsg",
    "nearest_water_name",
    "nearest_water_kind",
    "nearest_water_layer",
    "distance_m",
    "bearing_deg",
    *(f"p_reach_{h}yr" for h in HORIZONS_YR),
    *(f"p_reach_{h}yr_uniform_direction" for h in HORIZONS_YR),
    "threshold_fraction",
    "realizations",
    "seed",
    "method",
    "modelled",
]
"""Columns of the screening layer, in order (plus ``geometry``: EPSG:4326 points)."""

_BLOCK_ELEMENTS = 1 << 16
"""Sites x realizations evaluated at once: bounds the memory whatever the number of sites."""


def screening_sites(layers: Layers) -> gpd.GeoDataFrame:
    """The sites to screen: every located USGS site and the located curated sources.

    Returns
    -------
    geopandas.GeoDataFrame
        ``site_id``, ``site_name``, ``dataset`` and point geometry (EPSG:4326), USGS first.
        Curated rows whose kind is a town or a city (reference places) are left out.
    """
    usgs = layers.usgs_sites
    usgs = usgs[usgs.geometry.notna() & ~usgs.geometry.is_empty]
    usgs_rows = gpd.GeoDataFrame(
        {
            "site_id": (usgs["source_id"] + "#" + usgs["record_id"]).to_numpy(),
            "site_name": usgs["site_name"].to_numpy(),
            "dataset": usgs["dataset"].to_numpy(),
        },
        geometry=usgs.geometry.to_numpy(),
        crs=WGS84,
    )
    curated = layers.sites
    located = curated.geometry.notna() & ~curated.geometry.is_empty
    sources = ~curated["kind"].fillna("").str.contains(REFERENCE_KINDS, regex=True)
    curated = curated[located & sources]
    curated_rows = gpd.GeoDataFrame(
        {
            "site_id": ("sites.csv:" + curated["name"]).to_numpy(),
            "site_name": curated["name"].to_numpy(),
            "dataset": CURATED_DATASET,
        },
        geometry=curated.geometry.to_numpy(),
        crs=WGS84,
    )
    return gpd.GeoDataFrame(pd.concat([usgs_rows, curated_rows], ignore_index=True), crs=WGS84)


def water_features(layers: Layers) -> gpd.GeoDataFrame:
    """Rivers, lake centrelines and lakes of every water layer, with ``name``, ``kind``
    (Natural Earth ``featurecla`` in lower_snake_case: ``river``, ``lake_centerline``, ``lake``,
    ``reservoir``, ``alkaline_lake``) and ``layer``."""
    parts = []
    for name in WATER_LAYERS:
        layer = getattr(layers, name)
        kind = layer["featurecla"].fillna("water").str.strip().str.lower().str.replace(" ", "_")
        parts.append(
            gpd.GeoDataFrame(
                {"name": layer["name"].to_numpy(), "kind": kind.to_numpy(), "layer": name},
                geometry=layer.geometry.to_numpy(),
                crs=WGS84,
            )
        )
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)


def nearest_water_label(name: str | None, kind: str | None) -> str:
    """How to call a site's nearest water: its name, or for an unnamed feature (82 of the
    2,042 sites' nearest waters in Natural Earth have none) its kind, ``"unnamed lake"``.

    Parameters
    ----------
    name, kind : str or None
        ``nearest_water_name`` and ``nearest_water_kind`` of the screening layer.
    """
    if name:
        return name
    return f"unnamed {(kind or 'water').replace('_', ' ')}"


def _check_run(realizations: int, seed: int) -> None:
    if isinstance(realizations, bool) or not isinstance(realizations, int | np.integer):
        raise AtlasError(f"realizations must be a whole number, got {realizations!r}")
    if realizations <= 0:
        raise AtlasError(f"realizations must be >= 1, got {realizations}; e.g. 1000")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise AtlasError(f"seed must be a whole number >= 0, got {seed!r}")


def sample_priors(
    priors: ScreeningPriors, realizations: int, seed: int
) -> dict[str, NDArray[np.float64]]:
    """``realizations`` parameter sets drawn by Latin hypercube sampling (scipy.stats.qmc),
    reproducible from ``seed``; one array per prior, plus ``velocity_m_per_yr``."""
    _check_run(realizations, seed)
    design = qmc.LatinHypercube(d=len(priors.priors()), rng=np.random.default_rng(seed))
    params = priors.sample(design.random(realizations))
    params["velocity_m_per_yr"] = (
        params["hydraulic_conductivity_m_per_day"]
        * DAYS_PER_YEAR
        * params["hydraulic_gradient"]
        / params["effective_porosity"]
    )
    return params


def _reached(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    distance: NDArray[np.float64],
    params: dict[str, NDArray[np.float64]],
    threshold: float,
) -> NDArray[np.bool_]:
    """Whether C >= threshold C0 at ``(x, y)`` (sites x realizations) at every horizon."""
    alpha_l = params["longitudinal_dispersivity_per_distance"] * np.maximum(distance, 1.0)
    d_l = alpha_l * params["velocity_m_per_yr"]
    c = strip_source_2d_horizons(
        x,
        y,
        HORIZONS_YR,
        width_m=params["source_width_m"],
        velocity_m_per_yr=params["velocity_m_per_yr"],
        longitudinal_dispersion_m2_per_yr=d_l,
        transverse_dispersion_m2_per_yr=d_l * params["transverse_to_longitudinal_dispersivity"],
        retardation=params["retardation"],
        decay_per_yr=params["decay_per_yr"],
    )
    return c >= threshold


def reach_probabilities(
    distance_m: NDArray[np.float64],
    params: dict[str, NDArray[np.float64]],
    threshold_fraction: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Probability of reaching the water at every horizon, worst-case and uniform direction.

    Parameters
    ----------
    distance_m : numpy.ndarray
        Distance from each site to its nearest water, in m (``NaN``: no water found).
    params : dict of numpy.ndarray
        One array per parameter, one value per realization (see :func:`sample_priors`).
    threshold_fraction : float
        ``C / C0`` at or above which the plume counts as arrived.

    Returns
    -------
    worst, uniform : numpy.ndarray
        Shape ``(sites, len(HORIZONS_YR))``: the fraction of realizations that reach the water,
        with the flow toward it (worst case) and in a uniform random direction; ``NaN`` where
        the distance is ``NaN``.
    """
    distance = np.asarray(distance_m, dtype=float)
    realizations = params["velocity_m_per_yr"].size
    worst = np.full((distance.size, len(HORIZONS_YR)), np.nan)
    uniform = worst.copy()
    offset = np.radians(params["flow_direction_offset_deg"])
    along, across = np.cos(offset), np.sin(offset)
    known = np.flatnonzero(np.isfinite(distance))
    block = max(1, _BLOCK_ELEMENTS // realizations)
    for start in range(0, known.size, block):
        rows = known[start : start + block]
        d = distance[rows][:, None]
        worst[rows] = _reached(d, np.zeros(1), d, params, threshold_fraction).mean(axis=1)
        x, y = d * along, d * across
        downstream = (x > 0) | (d == 0)
        counts = np.zeros((rows.size, len(HORIZONS_YR)))
        if np.any(downstream):
            d_full = np.broadcast_to(d, x.shape)
            chosen = {k: np.broadcast_to(v, x.shape)[downstream] for k, v in params.items()}
            hits = _reached(
                np.maximum(x[downstream], 0.0),
                y[downstream],
                d_full[downstream],
                chosen,
                threshold_fraction,
            )
            site_of = np.broadcast_to(np.arange(rows.size)[:, None], x.shape)[downstream]
            for k in range(len(HORIZONS_YR)):
                counts[:, k] = np.bincount(site_of, weights=hits[:, k], minlength=rows.size)
        uniform[rows] = counts / realizations
    return worst, uniform


def screen_sites(
    layers: Layers,
    priors: ScreeningPriors = DEFAULT_PRIORS,
    realizations: int = DEFAULT_REALIZATIONS,
    seed: int = DEFAULT_SEED,
    *,
    sites: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Screen every site: nearest water, its distance and bearing, and reach probabilities.

    Parameters
    ----------
    layers : atlas.load.Layers
        The layers (EPSG:4326), as :func:`atlas.load.load_layers` returns them.
    priors : ScreeningPriors
        The priors; :data:`atlas.screening_priors.DEFAULT_PRIORS` documents every range.
    realizations : int
        Monte Carlo realizations per site (>= 1).
    seed : int
        Seed of the Latin hypercube (>= 0); the same seed gives the same layer.
    sites : geopandas.GeoDataFrame, optional
        The sites to screen (``site_id``, ``site_name``, ``dataset``, points in EPSG:4326);
        default :func:`screening_sites` of ``layers``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site with the columns :data:`COLUMNS` and point geometry in EPSG:4326.
        ``distance_m`` is in metres and ``bearing_deg`` is the grid bearing (degrees clockwise
        from grid north) in the site's UTM zone ``utm_epsg``; ``bearing_deg`` is ``NaN`` at
        distance 0 (the site on or in the water), where every probability is 1. A site with
        no water within the search window of :mod:`atlas.joins` has ``NaN`` distance and
        probabilities.
    """
    _check_run(realizations, seed)
    params = sample_priors(priors, realizations, seed)
    sites = screening_sites(layers) if sites is None else sites.reset_index(drop=True)
    water = water_features(layers)
    near = join_nearest(sites, water, offsets=True)
    matched = near["feature"].notna()
    feature = near["feature"].where(matched, 0).astype(int).to_numpy()
    distance = near["distance_m"].to_numpy(float)
    dx, dy = near["dx_m"].to_numpy(float), near["dy_m"].to_numpy(float)
    bearing = np.degrees(np.arctan2(dx, dy)) % 360.0
    bearing[~(distance > 0)] = np.nan
    worst, uniform = reach_probabilities(distance, params, priors.threshold_fraction)
    out = pd.DataFrame(
        {
            "site_id": sites["site_id"].astype("str"),
            "site_name": sites["site_name"].astype("str"),
            "dataset": sites["dataset"].astype("str"),
            "longitude_deg": sites.geometry.x,
            "latitude_deg": sites.geometry.y,
            "utm_epsg": near["utm_epsg"].astype("Int64"),
            "nearest_water_name": water["name"].to_numpy()[feature],
            "nearest_water_kind": water["kind"].to_numpy()[feature],
            "nearest_water_layer": water["layer"].to_numpy()[feature],
            "distance_m": distance,
            "bearing_deg": bearing,
        }
    )
    for column in ("nearest_water_name", "nearest_water_kind", "nearest_water_layer"):
        text = out[column].astype("str").str.strip()
        out[column] = text.where(matched & (text != ""))  # unnamed water: no name
    for k, horizon in enumerate(HORIZONS_YR):
        out[f"p_reach_{horizon}yr"] = worst[:, k]
    for k, horizon in enumerate(HORIZONS_YR):
        out[f"p_reach_{horizon}yr_uniform_direction"] = uniform[:, k]
    out = out.assign(
        threshold_fraction=priors.threshold_fraction,
        realizations=int(realizations),
        seed=int(seed),
        method=METHOD,
        modelled=SCREENING_LABEL,
    )
    return gpd.GeoDataFrame(out[COLUMNS], geometry=sites.geometry.to_numpy(), crs=WGS84)


def check_output_path(path: Path) -> Path:
    """``path`` if it can take the screening layer (a known suffix, an existing folder)."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputError(
            f"{path}: unknown output format {path.suffix or '(no suffix)'!r}; "
            f"end the file name in {', '.join(OUTPUT_SUFFIXES)}"
        )
    if not path.parent.is_dir():
        raise OutputError(f"{path}: the folder {path.parent} does not exist; create it first")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name, e.g. {path / 'screening.csv'}")
    return path


def write_screening(layer: gpd.GeoDataFrame, path: Path) -> Path:
    """Write the screening layer to ``path`` (.csv, .geojson or .parquet), atomically.

    The file is written in a temporary folder beside ``path`` and moved into place, so a
    failed write never leaves a partial file. CSV has no geometry column (``longitude_deg`` and
    ``latitude_deg`` hold the points); GeoJSON and GeoParquet carry EPSG:4326 points.
    """
    path = check_output_path(path)
    suffix = path.suffix.lower()
    scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        temporary = scratch / f"screening{suffix}"
        if suffix == ".csv":
            table = pd.DataFrame(layer.drop(columns=layer.geometry.name))
            table.to_csv(temporary, index=False, lineterminator="\n")
        elif suffix == ".geojson":
            layer.to_file(temporary, driver="GeoJSON", engine="pyogrio")
        else:
            try:
                layer.to_parquet(temporary, index=False)
            except ImportError as exc:
                raise OutputError(
                    f"{path}: writing GeoParquet needs pyarrow ({exc}); "
                    "pip install pyarrow, or write .geojson or .csv"
                ) from None
        os.replace(temporary, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path
