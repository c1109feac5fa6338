"""What an export holds, built from the layers and the plume results: :func:`export_contents`.

The data layers are the data root's own (the sites joined to their surroundings), in the order
of :data:`~atlas.load.LAYERS`, with their provenance from ``layers/SOURCES.md``. The plume
layers are the results' own tables and grids, only reprojected (receptors and sources, to
EPSG:4326), sorted by scenario (isochrones by scenario, threshold and time), and, for the
velocity, combined into its magnitude: nothing is modelled here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from atlas import __version__
from atlas.crs import WGS84
from atlas.ensemble.result import EnsembleResult
from atlas.errors import OutputError
from atlas.load import LAYERS, Layers
from atlas.load.sources import UNDOCUMENTED, LayerSources
from atlas.publish.outputs.export_layers import (
    ISOCHRONES,
    RECEPTORS,
    SOURCES,
    ExportContents,
    ExportLayer,
    ExportRaster,
    Provenance,
    ScenarioRecord,
    VectorStyle,
    geometry_ready,
    table_name,
)
from atlas.publish.outputs.probability_contents import ensemble_items, screening_items
from atlas.result import ISOCHRONE_COLUMNS, MODELLED_LABEL, PlumeResult

__all__ = ["export_contents"]

_LAYER_STYLES: Mapping[str, VectorStyle] = {
    "sites": "sites",
    "usgs_sites": "usgs_sites",
    "observations": "observations",
    "tailings_pond": "tailings_pond",
    "towns": "points",
    "countries": "land",
    "context_facts": "table",
}


def _default_style(geometry_types: set[str]) -> VectorStyle:
    """How a layer without a style of its own is drawn: by its kind of geometry."""
    if any("Polygon" in kind for kind in geometry_types):
        return "polygons"
    return "lines" if any("Line" in kind for kind in geometry_types) else "points"


def _nan(value: float | None) -> float:
    """NaN for a missing number (an empty cell in every format)."""
    return np.nan if value is None else value


def _data_layers(layers: Layers, sources: Mapping[str, LayerSources]) -> list[ExportLayer]:
    """The shipped (or a data root's) layers, in the order of :data:`~atlas.load.LAYERS`."""
    items = []
    for name, frame in layers.as_mapping().items():
        spec = LAYERS[name]
        known = sources.get(name, LayerSources(UNDOCUMENTED, UNDOCUMENTED, UNDOCUMENTED))
        if isinstance(frame, gpd.GeoDataFrame):
            frame = geometry_ready(frame.reset_index(drop=True))
            default = _default_style(set(frame.geometry.dropna().geom_type))
        else:
            frame, default = frame.reset_index(drop=True), "table"
        description = spec.description
        if name == "sites":
            description += (
                "; joined with the nearest Natural Earth river and town (distances in metres, "
                "measured in each site's UTM zone, distance_crs) and the country it lies in"
            )
        items.append(
            ExportLayer(
                name=name,
                frame=frame,
                title=name.replace("_", " "),
                description=description,
                provenance=Provenance(known.source_and_processing, known.licence, known.retrieved),
                style=_LAYER_STYLES.get(name, default),
            )
        )
    return items


def _modelled(results: Sequence[PlumeResult], what: str) -> Provenance:
    return Provenance(
        source_and_processing=f"{what}, computed by atlas {__version__} from the scenarios "
        "listed (their parameters and the source of each are in the scenario content)",
        licence="the atlas's outputs; the data they derive from: see the data layers",
        retrieved="not applicable: modelled",
        scenarios=tuple(ScenarioRecord.of(result) for result in results),
    )


def _to_wgs84(geometries: Sequence[object], crs: object) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geometries), crs=crs).to_crs(WGS84)


def _plume_layers(results: Sequence[PlumeResult]) -> list[ExportLayer]:
    """Isochrones of every scenario in one table; receptors and sources in one table per
    geometry family."""
    isochrones = [r.isochrones[[*ISOCHRONE_COLUMNS, "geometry"]] for r in results]
    frame = (
        pd.concat(isochrones, ignore_index=True)
        if isochrones
        else gpd.GeoDataFrame(columns=[*ISOCHRONE_COLUMNS, "geometry"], geometry="geometry")
    )
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84)
    frame = geometry_ready(
        frame.sort_values(["scenario", "threshold_mg_per_l", "time_yr"], kind="stable")
    )
    receptor_rows, source_rows = [], []
    for result in sorted(results, key=lambda r: r.name):
        scenario = result.scenario
        points = _to_wgs84([r.geometry for r in scenario.receptors], scenario.crs)
        for receptor, geometry in zip(scenario.receptors, points, strict=True):
            thresholds = "; ".join(f"{t:g}" for t in receptor.thresholds_mg_per_l)
            receptor_rows.append(
                (scenario.name, receptor.name, receptor.display_name, thresholds, geometry)
            )
        shapes = _to_wgs84([s.geometry for s in scenario.sources], scenario.crs)
        for source, geometry in zip(scenario.sources, shapes, strict=True):
            source_rows.append(
                (
                    scenario.name,
                    source.name,
                    source.display_name,
                    _nan(source.concentration_mg_per_l),
                    _nan(source.mass_rate_kg_per_yr),
                    source.start_yr,
                    _nan(source.end_yr),
                    geometry,
                )
            )
    receptors = gpd.GeoDataFrame(
        pd.DataFrame(
            receptor_rows,
            columns=["scenario", "receptor", "label", "thresholds_mg_per_l", "geometry"],
        ),
        geometry="geometry",
        crs=WGS84,
    )
    source_columns = [
        "scenario",
        "source",
        "label",
        "concentration_mg_per_l",
        "mass_rate_kg_per_yr",
        "start_yr",
        "end_yr",
        "geometry",
    ]
    sources = gpd.GeoDataFrame(
        pd.DataFrame(source_rows, columns=source_columns), geometry="geometry", crs=WGS84
    )
    return [
        ExportLayer(
            ISOCHRONES,
            frame.reset_index(drop=True),
            "plume isochrones (MODELLED)",
            f"{MODELLED_LABEL}. Area at or above each threshold (mg/L) at each output time "
            "(years since t = 0; calendar_year when the scenario has a start year), one row "
            "per scenario, threshold and time, area in m2 measured in the scenario's CRS.",
            _modelled(results, "isochrones of the modelled concentration"),
            "isochrones",
        ),
        *(
            ExportLayer(
                name,
                part,
                f"plume receptors ({family})",
                "Where each scenario reports arrival times: rivers, lakes or wells, with the "
                "thresholds (mg/L) reported there; the scenario's geometry in EPSG:4326.",
                _modelled(results, "receptors as the scenarios define them"),
                "receptors",
            )
            for name, family, part in _by_family(RECEPTORS, receptors)
        ),
        *(
            ExportLayer(
                name,
                part,
                f"plume sources ({family})",
                "Where each scenario puts its contaminant source (a held concentration in "
                "mg/L or a mass rate in kg/yr, from start_yr to end_yr, years since t = 0; "
                "end_yr empty: to the horizon); the scenario's geometry in EPSG:4326.",
                _modelled(results, "sources as the scenarios define them"),
                "sources",
            )
            for name, family, part in _by_family(SOURCES, sources)
        ),
    ]


_FAMILIES = {"Point": "points", "LineString": "lines", "Polygon": "polygons"}


def _by_family(name: str, frame: gpd.GeoDataFrame) -> list[tuple[str, str, gpd.GeoDataFrame]]:
    """``frame`` split by geometry family into ``<name>_points``, ``<name>_lines`` and
    ``<name>_polygons`` (each one geometry type, as GIS software needs); only the families
    present, rows in their order."""
    family = frame.geometry.geom_type.str.removeprefix("Multi").map(_FAMILIES)
    return [
        (f"{name}_{word}", word, geometry_ready(frame[family == word].reset_index(drop=True)))
        for word in _FAMILIES.values()
        if (family == word).any()
    ]


def _range(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    return (0.0, 1.0) if finite.size == 0 else (float(finite.min()), float(finite.max()))


def _rasters(result: PlumeResult) -> list[ExportRaster]:
    """Heads, velocity magnitude and the concentration at each output time of one result."""
    scenario, dataset = result.scenario, result.dataset
    provenance = _modelled([result], "a grid of the modelled run")
    label = f"{MODELLED_LABEL}. Scenario {scenario.name}"
    rasters = []
    if "head_m" in dataset:
        heads = dataset["head_m"].values
        rasters.append(
            ExportRaster(
                table_name(scenario.name, "head_m"),
                scenario.grid,
                heads,
                "m",
                "modelled hydraulic head",
                f"{scenario.name}: head (MODELLED)",
                f"{label}: steady hydraulic head in m.",
                provenance,
                "head",
                _range(heads),
            )
        )
    if "speed_m_per_yr" in dataset:
        speed = dataset["speed_m_per_yr"].values
        rasters.append(
            ExportRaster(
                table_name(scenario.name, "velocity_magnitude_m_per_yr"),
                scenario.grid,
                speed,
                "m/yr",
                "modelled seepage speed",
                f"{scenario.name}: seepage speed (MODELLED)",
                f"{label}: magnitude of the seepage velocity in m/yr.",
                provenance,
                "velocity",
                _range(speed),
            )
        )
    if result.transports:
        concentration = dataset["concentration"]
        span = (0.0, _range(concentration.values)[1])
        for k, time_yr in enumerate(concentration["time_yr"].values):
            when = f"{time_yr:g} yr"
            if scenario.start_year is not None:
                when += f" (calendar year {scenario.start_year + time_yr:g})"
            rasters.append(
                ExportRaster(
                    table_name(
                        scenario.name,
                        f"concentration_mg_per_l_{k:02d}",
                        f"{time_yr:g}".replace(".", "p") + "yr",
                    ),
                    scenario.grid,
                    concentration.isel(time_yr=k).values,
                    "mg/L",
                    "modelled concentration (depth-averaged)",
                    f"{scenario.name}: concentration at {when} (MODELLED)",
                    f"{label}: depth-averaged concentration in mg/L at t = {when}.",
                    provenance,
                    "concentration",
                    span,
                    scenario.thresholds_mg_per_l,
                )
            )
    return rasters


def export_contents(
    layers: Layers,
    results: Sequence[PlumeResult],
    sources: Mapping[str, LayerSources],
    *,
    ensembles: Sequence[EnsembleResult] = (),
    screening: gpd.GeoDataFrame | None = None,
    screening_priors: pd.DataFrame | None = None,
) -> ExportContents:
    """Every layer and raster of an export.

    Parameters
    ----------
    layers : Layers
        The data root's layers, the sites joined (:func:`atlas.pipeline.joined_layers`).
    results : sequence of PlumeResult
        The plume results to include (none: the data layers and empty plume tables).
    sources : Mapping[str, LayerSources]
        Provenance of each data layer (:func:`atlas.load.sources.read_layer_sources`).
    ensembles : sequence of EnsembleResult
        Ensembles to include: their probability isochrones, arrival quantiles and
        exceedance-probability rasters (:mod:`~atlas.publish.outputs.probability_contents`).
    screening, screening_priors : optional
        The screening layer of every site (:func:`atlas.screening.screen_sites`) and its
        priors' table; both or neither.

    Raises
    ------
    OutputError
        When two scenarios' names give the same table name (e.g. ``a-b`` and ``a.b``).
    """
    results = sorted(results, key=lambda r: r.name)
    ensemble_layers, ensemble_rasters = ensemble_items(ensembles)
    screened = (
        []
        if screening is None or screening_priors is None
        else screening_items(screening, screening_priors)
    )
    contents = ExportContents(
        layers=(
            *_data_layers(layers, sources),
            *screened,
            *_plume_layers(results),
            *ensemble_layers,
        ),
        rasters=(
            *(raster for result in results for raster in _rasters(result)),
            *ensemble_rasters,
        ),
    )
    names = contents.names()
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise OutputError(
            f"two tables would be named {', '.join(clashes)}; rename one of the scenarios "
            "whose names differ only in '-', '.' or case"
        )
    return contents
