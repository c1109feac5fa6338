"""Background layers: the offline basemap drawn from Natural Earth, and optional OSM tiles.

The offline basemap (land, lakes, rivers at 1:50m) is a data file of the site
(``assets/data/basemap.js``, :func:`basemap_data`), simplified and rounded for the world view,
shared by every page that draws it, so the map works without any network. Near the sites
(:func:`detail_windows`) the 1:10m rivers and lakes, which the distances are measured against,
take the place of the 1:50m ones, so one river is never drawn twice a kilometre apart; only
there, to keep the page small. OpenStreetMap tiles are added only when asked for, and start
switched off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import CustomPane

from atlas.publish.site.data_files import write_data_file
from atlas.publish.site.features import feature_collection, located
from atlas.publish.site.templates import macro, template

__all__ = [
    "BASEMAP_FILE",
    "BASEMAP_PANE",
    "NATURAL_EARTH_ATTRIBUTION",
    "basemap_data",
    "basemap_pane",
    "detail_windows",
    "hydrography_near",
    "keep_within",
    "local_basemap",
    "offline_basemap",
    "openstreetmap_tiles",
    "write_basemap_data",
]

BASEMAP_PANE = "basemap"
"""Leaflet pane of the offline basemap: above tiles (200), below overlays (400)."""

NATURAL_EARTH_ATTRIBUTION = macro("layers.html", "natural_earth_attribution")
"""Attribution (markup) of the Natural Earth layers."""

OSM_ATTRIBUTION = macro("layers.html", "openstreetmap_attribution")
"""Attribution (markup) of the OpenStreetMap tiles."""

BASEMAP_DECIMALS = 2
"""Decimals of a degree kept in basemap coordinates (about 1 km)."""

BASEMAP_SIMPLIFY_DEG = 0.1
"""Simplification tolerance of the 1:50m world basemap, degrees (about 11 km: below a pixel
up to zoom 3, the world view of the index; the site pages draw their own surroundings finer)."""

DETAIL_DECIMALS = 4
"""Decimals of a degree kept in the 1:10m rivers and lakes near the sites (about 10 m)."""

DETAIL_SIMPLIFY_DEG = 0.002
"""Simplification tolerance of the 1:10m rivers and lakes near the sites, degrees (~200 m)."""

DETAIL_WINDOW_DEG = 1.0
"""Half-width (degrees) of the window around each site in which 1:10m hydrography is shown;
inside the 1.5 degrees the shipped 1:10m layers are clipped to (``scripts/prepare_layers.py``)."""


def _no_properties(row: object) -> dict[str, object]:
    return {}


def _background(
    frame: gpd.GeoDataFrame,
    class_name: str,
    *,
    where: str,
    decimals: int,
    simplify_deg: float,
    pane: str | None = None,
) -> folium.GeoJson:
    """A non-interactive GeoJSON layer styled by CSS class ``class_name`` (see atlas.css)."""
    data = feature_collection(
        frame,
        _no_properties,
        sort_by=("name", "scalerank"),
        decimals=decimals,
        simplify_deg=simplify_deg,
        where=where,
    )
    return folium.GeoJson(
        data,
        control=False,
        interactive=False,
        style={"className": class_name},
        attribution=NATURAL_EARTH_ATTRIBUTION,
        pane=pane,
    )


def detail_windows(sites: gpd.GeoDataFrame) -> shapely.Geometry | None:
    """The boxes of +-:data:`DETAIL_WINDOW_DEG` around every located site, in EPSG:4326
    degrees, merged; None when no site has a location."""
    points = located(sites)
    if points.empty:
        return None
    half = DETAIL_WINDOW_DEG
    return shapely.union_all(
        [shapely.box(p.x - half, p.y - half, p.x + half, p.y + half) for p in points.geometry]
    )


def _outside(frame: gpd.GeoDataFrame, windows: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """The parts of the features that lie outside ``windows``."""
    if windows is None:
        return frame
    cut = located(frame)
    cut = cut.set_geometry(cut.geometry.difference(windows))
    return cut[~cut.geometry.is_empty]


BASEMAP_FILE = "assets/data/basemap.js"
"""The data file of the offline basemap (it sets ``window.atlasBasemap``)."""


def basemap_data(
    countries: gpd.GeoDataFrame,
    lakes: gpd.GeoDataFrame,
    rivers: gpd.GeoDataFrame,
    *,
    detail: shapely.Geometry | None = None,
) -> dict[str, Any]:
    """The offline base layer as data: land (country polygons), lakes and rivers.

    Parameters
    ----------
    countries, lakes, rivers : geopandas.GeoDataFrame
        Natural Earth layers in EPSG:4326 (1:50m is plenty for a world view).
    detail : shapely geometry, optional
        Where :func:`hydrography_near` draws 1:10m lakes and rivers instead
        (:func:`detail_windows`); the 1:50m ones are left out there.

    Returns
    -------
    dict
        ``land``, ``lake``, ``river``: GeoJSON FeatureCollections (drawn with the CSS classes
        ``atlas-land``, ... in that order), simplified by :data:`BASEMAP_SIMPLIFY_DEG` and
        rounded to :data:`BASEMAP_DECIMALS`.
    """
    return {
        key: feature_collection(
            frame,
            _no_properties,
            sort_by=("name", "scalerank"),
            decimals=BASEMAP_DECIMALS,
            simplify_deg=BASEMAP_SIMPLIFY_DEG,
            where=where,
        )
        for frame, key, where in (
            (countries, "land", "countries"),
            (_outside(lakes, detail), "lake", "lakes"),
            (_outside(rivers, detail), "river", "rivers"),
        )
    }


class _BasemapFromData(JSCSSMixin, MacroElement):
    """Draws the basemap data file (loaded in the page's head) into its parent group."""

    _template = template("basemap.html")
    default_js = [("atlas_basemap_data", BASEMAP_FILE)]  # noqa: RUF012 (JSCSSMixin's attribute)

    def __init__(self) -> None:
        super().__init__()
        self.pane = BASEMAP_PANE
        self.attribution = NATURAL_EARTH_ATTRIBUTION


def offline_basemap() -> folium.FeatureGroup:
    """The offline base layer of a map, drawn from the data file :data:`BASEMAP_FILE`
    (:func:`basemap_data`, written by :func:`write_basemap_data`)."""
    basemap = folium.FeatureGroup(
        name="Natural Earth basemap (offline)", overlay=False, control=True
    )
    _BasemapFromData().add_to(basemap)
    return basemap


class _KeepWithin(MacroElement):
    """Keeps its parent map within a box (``templates/keep_within.html``, ``atlas.js``)."""

    _template = template("keep_within.html")

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self.bounds = bounds


def keep_within(window: shapely.Geometry) -> MacroElement:
    """What keeps a map of one place within ``window`` (EPSG:4326), the area its detailed
    layers are drawn for: it does not pan beyond it, nor zoom out past the zoom at which the
    window fills the map, where the clipped land or rivers would end in the open."""
    west, south, east, north = (float(v) for v in shapely.bounds(window))
    return _KeepWithin([[south, west], [north, east]])


def local_basemap(countries: gpd.GeoDataFrame, window: shapely.Geometry) -> folium.FeatureGroup:
    """The offline base layer of a map of one place: land (country polygons) within
    ``window`` (EPSG:4326), at the detail of the 1:10m hydrography (:data:`DETAIL_DECIMALS`,
    :data:`DETAIL_SIMPLIFY_DEG`), drawn in the page itself."""
    basemap = folium.FeatureGroup(
        name="Natural Earth basemap (offline)", overlay=False, control=True
    )
    _background(
        gpd.clip(located(countries), window, keep_geom_type=True).sort_index(),
        "atlas-land",
        where="countries",
        decimals=DETAIL_DECIMALS,
        simplify_deg=DETAIL_SIMPLIFY_DEG,
        pane=BASEMAP_PANE,
    ).add_to(basemap)
    return basemap


def write_basemap_data(site_dir: Path, data: dict[str, Any]) -> Path:
    """Write :func:`basemap_data` as :data:`BASEMAP_FILE` into the site folder ``site_dir``."""
    return write_data_file(site_dir, BASEMAP_FILE, "atlasBasemap", data)


def basemap_pane() -> CustomPane:
    """The pane that keeps the basemap under every overlay, whatever order layers are toggled in."""
    return CustomPane(BASEMAP_PANE, z_index=250, pointer_events=False)


def hydrography_near(
    rivers: gpd.GeoDataFrame, lakes: gpd.GeoDataFrame, detail: shapely.Geometry | None
) -> folium.FeatureGroup:
    """1:10m rivers and lakes clipped to ``detail`` (:func:`detail_windows`), the windows
    around the sites where the basemap leaves its 1:50m ones out.

    These are the lines the nearest-river distances in the popups are measured to.
    """
    group = folium.FeatureGroup(
        name="Rivers and lakes 1:10m, near the sites",
        overlay=True,
        show=True,
    )
    if detail is None:
        return group
    for frame, class_name, where in (
        (lakes, "atlas-lake-detail", "lakes_10m"),
        (rivers, "atlas-river-detail", "rivers_10m"),
    ):
        _background(
            gpd.clip(located(frame), detail, keep_geom_type=True).sort_index(),
            class_name,
            where=where,
            decimals=DETAIL_DECIMALS,
            simplify_deg=DETAIL_SIMPLIFY_DEG,
        ).add_to(group)
    return group


def openstreetmap_tiles() -> folium.TileLayer:
    """OpenStreetMap tiles as a second base layer, switched off until the reader picks it."""
    return folium.TileLayer(
        tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attr=OSM_ATTRIBUTION,
        name="OpenStreetMap tiles (online)",
        overlay=False,
        control=True,
        show=False,
        max_zoom=19,
    )
