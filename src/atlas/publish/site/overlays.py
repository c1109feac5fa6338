"""The data layers of the page: sites, USGS records, the pond, observations, modelled plumes.

Each feature carries only what the page needs: its popup (markup of ``templates/popups.html``,
every value escaped), a plain-text label (set as a DOM property by ``atlas.js``, so never
parsed as HTML) and a symbol. Markers are made by the functions of ``assets/atlas.js`` named
below. Layer names and attributions with markup come from ``templates/layers.html``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import CustomPane
from folium.plugins import MarkerCluster
from folium.utilities import JsCode

from atlas.publish.site.assets import CLUSTER_SCRIPTS, CLUSTER_STYLESHEETS
from atlas.publish.site.features import Properties, feature_collection
from atlas.publish.site.legend import symbol_for_kind, symbol_svg
from atlas.publish.site.plume_tables import PlumeView
from atlas.publish.site.popups import (
    is_missing,
    observation_popup,
    plume_popup,
    pond_popup,
    site_popup,
    text_of,
)
from atlas.publish.site.site_table import DATA_FILE
from atlas.publish.site.templates import macro, template

__all__ = [
    "SITES_PANE",
    "curated_sites",
    "observations",
    "plume_hues",
    "plume_outlines",
    "plume_times",
    "sites_pane",
    "tailings_pond",
    "usgs_records",
]

SITES_PANE = "atlas-sites"
"""Leaflet pane of the curated sites (named in ``atlas.js``): above the clustered records."""

USGS_ATTRIBUTION = macro("layers.html", "usgs_attribution")
CURATED_ATTRIBUTION = macro("layers.html", "curated_attribution")
PLUME_ATTRIBUTION = macro("layers.html", "plume_attribution")

PLUME_HUES = 3
"""Colours of plume outlines (``atlas-plume-hue-<k>`` in ``atlas.css``), one per projection."""

_BIND_POPUP = JsCode("atlas.bindPopup")


def _geojson(
    frame: gpd.GeoDataFrame,
    properties: Properties,
    *,
    sort_by: tuple[str, ...],
    where: str,
    marker: str | None = None,
    **options: Any,
) -> folium.GeoJson:
    """A GeoJSON layer whose features get their popup, and their marker from ``atlas.<marker>``."""
    data = feature_collection(frame, properties, sort_by=sort_by, where=where)
    if marker is not None:
        options["pointToLayer"] = JsCode(f"atlas.{marker}")
    return folium.GeoJson(data, on_each_feature=_BIND_POPUP, **options)


def sites_pane() -> CustomPane:
    """The pane that keeps curated sites above markers (600) and below tooltips (650)."""
    return CustomPane(SITES_PANE, z_index=640)


def _site_properties(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "label": text_of(row.get("name")) or "(unnamed site)",
        "icon": symbol_svg(symbol_for_kind(row.get("kind"))),
        "popup": site_popup(row),
    }


def curated_sites(sites: gpd.GeoDataFrame) -> folium.GeoJson:
    """Curated sites with a verified location, one symbol per kind (see :mod:`.legend`)."""
    return _geojson(
        sites,
        _site_properties,
        sort_by=("name",),
        where="sites",
        marker="siteMarker",
        name="Curated sites",
        attribution=CURATED_ATTRIBUTION,
    )


class SiteRecords(JSCSSMixin, MacroElement):
    """The USGS records of the site data (:mod:`.site_table`, ``assets/data/sites.js``, loaded
    in the page's head) as markers of the cluster it is added to (``atlas.addRecords``)."""

    _template = template("records.html")
    default_js = [("atlas_sites_data", DATA_FILE)]  # noqa: RUF012 (JSCSSMixin's attribute)


def usgs_records() -> MarkerCluster:
    """USGS rare-earth records, clustered with Leaflet.markercluster; their markers and
    popups are made in the browser from the site data (:class:`SiteRecords`).

    The clusters split and merge without animation: with it, "Show" in the site table
    (``zoomToShowLayer``) could leave its record off the map and its popup shut after the
    zoom, in Chromium 156 on the map's half-step zoom levels."""
    cluster = MarkerCluster(
        name="USGS rare-earth records",
        options={
            "showCoverageOnHover": False,
            "chunkedLoading": True,
            "animate": False,
            "maxClusterRadius": 50,
            "attribution": USGS_ATTRIBUTION,
        },
    )
    cluster.default_js = list(CLUSTER_SCRIPTS)
    cluster.default_css = list(CLUSTER_STYLESHEETS)
    SiteRecords().add_to(cluster)
    return cluster


def _pond_properties(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"popup": pond_popup(row)}


def tailings_pond(pond: gpd.GeoDataFrame) -> folium.GeoJson:
    """The approximate tailings-pond outline; its popup says it is an approximation."""
    return _geojson(
        pond,
        _pond_properties,
        sort_by=("name",),
        where="tailings_pond",
        name="Tailings pond (approximate outline)",
        style={"className": "atlas-pond"},
        attribution=CURATED_ATTRIBUTION,
    )


def _observation_properties(row: Mapping[str, Any]) -> dict[str, Any]:
    approximate = row.get("location_is_approximate")
    return {
        "label": text_of(row.get("name")) or "(unnamed observation)",
        "approximate": (not is_missing(approximate)) and bool(approximate),
        "popup": observation_popup(row),
    }


def observations(frame: gpd.GeoDataFrame) -> folium.GeoJson:
    """Observations (measurements); a dashed ring marks an approximate location."""
    return _geojson(
        frame,
        _observation_properties,
        sort_by=("id", "name"),
        where="observations",
        marker="observationMarker",
        name="Observations",
        attribution=CURATED_ATTRIBUTION,
    )


def plume_hues(projections: Iterable[PlumeView]) -> dict[str, str]:
    """The colour class of each projection's outlines by name: sorted names take the
    ``atlas-plume-hue-<k>`` classes of ``atlas.css`` in turn."""
    names = sorted(projection.name for projection in projections)
    return {name: f"atlas-plume-hue-{k % PLUME_HUES}" for k, name in enumerate(names)}


def _time_key(row: Mapping[str, Any]) -> tuple[int, float, str, str]:
    """Sort key, CSS class and label of an outline's time: ``atlas-plume-y2020`` and "2020"
    (the calendar year it falls in), or ``atlas-plume-t5_5`` and "5.5 yr" without a start
    year."""
    year: Any = row.get("calendar_year")
    time_yr = float(row.get("time_yr", math.nan))
    if is_missing(year):
        return 1, time_yr, f"atlas-plume-t{time_yr:g}".replace(".", "_"), f"{time_yr:g} yr"
    calendar = math.floor(float(year))
    return 0, calendar, f"atlas-plume-y{calendar}", f"{calendar}"


def plume_times(projections: Iterable[PlumeView]) -> tuple[tuple[str, str], ...]:
    """Every output time of the projections' outlines, as (CSS class, label), in time order:
    the choices of the page's "plume outlines at" menu (see ``atlas.js``)."""
    keys = {
        _time_key(row) for projection in projections for _, row in projection.isochrones.iterrows()
    }
    return tuple((css_class, label) for _, _, css_class, label in sorted(keys))


def plume_outlines(projection: PlumeView, *, hue_class: str, show: bool) -> folium.GeoJson:
    """The modelled plume outlines of a projection: one per threshold and output time.

    Outlines are drawn largest first (lowest threshold, latest time), so the smaller ones stay
    clickable on top; the lowest threshold is dashed. Each carries the class of its time
    (:func:`plume_times`), by which the page can show one time only. ``hue_class`` is the
    colour (see :func:`plume_hues`); ``show`` whether the layer is on when the page opens.
    """
    frame = projection.isochrones
    if not frame.empty:
        frame = frame.sort_values(
            ["threshold_mg_per_l", "time_yr"], ascending=[True, False], kind="stable"
        )
    lowest = frame["threshold_mg_per_l"].min() if not frame.empty else None

    def properties(row: Mapping[str, Any]) -> dict[str, Any]:
        dashed = " atlas-plume-lowest" if row.get("threshold_mg_per_l") == lowest else ""
        return {
            "className": f"atlas-plume {hue_class} {_time_key(row)[2]}{dashed}",
            "popup": plume_popup(row, description=projection.description),
        }

    return _geojson(
        frame,
        properties,
        sort_by=(),
        where=f"plumes/{projection.name}/isochrones.geojson",
        name=macro("layers.html", "plume_layer_name", name=projection.title, hue_class=hue_class),
        show=show,
        style=JsCode("atlas.plumeStyle"),
        attribution=PLUME_ATTRIBUTION,
    )
