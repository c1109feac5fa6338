"""Joins of sites to their surroundings: nearest river, country, nearest town.

Distances are measured in metres in the UTM zone of each site (see :mod:`atlas.crs`), never
in degrees. Sites are grouped by zone so each group is projected once; candidate features
are first cut to a window around the group so far-away features are never projected into
a zone where UTM is meaningless.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.crs import WGS84, utm_epsg_for
from atlas.errors import CRSPolicyError

__all__ = ["join_country", "join_nearest", "join_sites"]

SEARCH_WINDOW_DEG = 10.0
"""Half-width of the window (degrees) in which nearest features are looked for."""

RIVER_SEARCH_RADIUS_M = 100_000.0
"""A site farther than this from every river gets no nearest river (it is not "near" one)."""

COAST_TOLERANCE_M = 25_000.0
"""A site outside every country polygon takes the nearest country within this distance."""


def _utm_zone_of_each(points: gpd.GeoSeries) -> pd.Series:
    """EPSG code of the UTM zone of every point (``NA`` where the geometry is missing)."""
    zones = [
        pd.NA if geom is None or geom.is_empty else utm_epsg_for(geom.x, geom.y) for geom in points
    ]
    return pd.Series(zones, index=points.index, dtype="Int64")


def join_nearest(
    points: gpd.GeoDataFrame,
    features: gpd.GeoDataFrame,
    *,
    name_column: str = "name",
    max_distance_m: float | None = None,
    offsets: bool = False,
) -> pd.DataFrame:
    """Name of and distance to the nearest feature of every point.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        Points in EPSG:4326; rows with a missing geometry get no match.
    features : geopandas.GeoDataFrame
        Any geometries in EPSG:4326 (rivers, towns, ...).
    name_column : str
        Column of ``features`` holding the name to report.
    max_distance_m : float, optional
        Matches farther than this are dropped.
    offsets : bool, default False
        Also return where the match is: ``feature`` (the index label of the matched row of
        ``features``), ``utm_epsg`` (the zone measured in) and ``dx_m``, ``dy_m`` (from the
        point to the nearest point of the feature, in metres along the zone's easting and
        northing axes; 0 when the point lies on or inside the feature).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``points``, with columns ``name`` (missing where unmatched or unnamed)
        and ``distance_m`` (metres in the point's UTM zone, ``NaN`` where unmatched), plus
        those of ``offsets``.
    """
    result = pd.DataFrame(
        {"name": pd.Series(pd.NA, index=points.index, dtype="str"), "distance_m": np.nan}
    )
    zones = _utm_zone_of_each(points.geometry)
    if offsets:
        result = result.assign(
            feature=pd.Series(pd.NA, index=points.index, dtype="object"), utm_epsg=zones
        )
        result = result.assign(dx_m=np.nan, dy_m=np.nan)
    for epsg, group in points[zones.notna()].groupby(zones.dropna()):
        xmin, ymin, xmax, ymax = group.total_bounds
        pad = SEARCH_WINDOW_DEG
        window = (slice(xmin - pad, xmax + pad), slice(max(ymin - pad, -90), min(ymax + pad, 90)))
        candidates = features.cx[window]
        if candidates.empty:
            continue
        crs = f"EPSG:{int(epsg)}"
        projected_points = group[["geometry"]].to_crs(crs)
        projected = candidates[[name_column, "geometry"]].rename_axis(None).to_crs(crs)
        joined = gpd.sjoin_nearest(
            projected_points,
            projected,
            how="left",
            max_distance=max_distance_m,
            distance_col="distance_m",
        )
        # Ties give several rows per point: keep the first, the same feature on every run.
        joined = joined[~joined.index.duplicated(keep="first")].dropna(subset=["distance_m"])
        result.loc[joined.index, "name"] = joined[name_column]
        result.loc[joined.index, "distance_m"] = joined["distance_m"].to_numpy(float)
        if offsets and len(joined):
            lines = shapely.shortest_line(
                projected_points.geometry.loc[joined.index].to_numpy(),
                projected.geometry.loc[joined["index_right"]].to_numpy(),
            )
            ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
            result.loc[joined.index, "feature"] = joined["index_right"].to_numpy()
            result.loc[joined.index, "dx_m"] = ends[:, 1, 0] - ends[:, 0, 0]
            result.loc[joined.index, "dy_m"] = ends[:, 1, 1] - ends[:, 0, 1]
    return result


def join_country(points: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> pd.Series:
    """Name of the country each point lies in (or is within ``COAST_TOLERANCE_M`` of).

    A point-in-polygon test is topological, so it runs in EPSG:4326; only coastal points that
    fall just outside every (generalised) outline are matched by distance, in metres.
    """
    located = points[points.geometry.notna() & ~points.geometry.is_empty]
    inside = gpd.sjoin(
        located[["geometry"]], countries[["name", "geometry"]], how="left", predicate="within"
    )
    inside = inside[~inside.index.duplicated(keep="first")]["name"]
    names = pd.Series(pd.NA, index=points.index, dtype="str")
    names.loc[inside.index] = inside
    outside = names.index[names.isna()].intersection(located.index)
    if len(outside):
        coastal = join_nearest(located.loc[outside], countries, max_distance_m=COAST_TOLERANCE_M)
        names.loc[outside] = coastal["name"]
    return names


def join_sites(
    sites: gpd.GeoDataFrame,
    *,
    rivers: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    towns: gpd.GeoDataFrame,
    river_search_radius_m: float = RIVER_SEARCH_RADIUS_M,
) -> gpd.GeoDataFrame:
    """Every site with its nearest river, its country and its nearest town.

    Parameters
    ----------
    sites : geopandas.GeoDataFrame
        Sites in EPSG:4326; those without a geometry are kept, with empty joined fields.
    rivers, countries, towns : geopandas.GeoDataFrame
        Layers in EPSG:4326 with a ``name`` column.
    river_search_radius_m : float
        Rivers farther than this (metres) are not reported as the nearest river.

    Returns
    -------
    geopandas.GeoDataFrame
        ``sites`` plus ``nearest_river_name``, ``nearest_river_distance_m``,
        ``country_name``, ``nearest_town_name``, ``nearest_town_distance_m`` and
        ``distance_crs`` (the UTM zone, ``"EPSG:326xx"`` or ``"EPSG:327xx"``, the distances
        were measured in).
    """
    for layer in (sites, rivers, countries, towns):
        if layer.crs is None or not layer.crs.equals(WGS84):
            raise CRSPolicyError(
                f"join_sites expects layers in EPSG:4326, got {layer.crs!r}; "
                "read them with atlas.load, which reprojects every layer to EPSG:4326"
            )
    river = join_nearest(sites, rivers, max_distance_m=river_search_radius_m)
    town = join_nearest(sites, towns)
    zones = _utm_zone_of_each(sites.geometry)
    return sites.assign(
        nearest_river_name=river["name"],
        nearest_river_distance_m=river["distance_m"],
        country_name=join_country(sites, countries),
        nearest_town_name=town["name"],
        nearest_town_distance_m=town["distance_m"],
        distance_crs=("EPSG:" + zones.astype("str")).where(zones.notna()),
    )
