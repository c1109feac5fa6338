"""The index: every layer on one Leaflet map, and the table of every site.

:func:`build_map` assembles the folium map; :func:`render_index` turns it into the HTML of
``index.html`` or of its embed variant ``embed.html`` (through :mod:`.pages`);
:func:`write_index` writes both with the data files they load. The index loads nothing from
another host unless OpenStreetMap tiles are asked for *and* switched on by the reader.

Outputs are deterministic: element ids come from a counter instead of folium's random
UUIDs, features are sorted and coordinates rounded, so the same layers give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from atlas.load import Layers
from atlas.publish.site.assets import MAP_SCRIPTS, MAP_STYLESHEETS
from atlas.publish.site.basemap import (
    basemap_data,
    basemap_pane,
    detail_windows,
    hydrography_near,
    offline_basemap,
    openstreetmap_tiles,
    write_basemap_data,
)
from atlas.publish.site.features import located
from atlas.publish.site.index_text import PageText, page_text
from atlas.publish.site.overlays import (
    curated_sites,
    observations,
    plume_outlines,
    sites_pane,
    tailings_pond,
    usgs_records,
)
from atlas.publish.site.page import AtlasMap
from atlas.publish.site.pages import Chrome, render_map_page, write_page
from atlas.publish.site.plume_tables import PlumeView, featured
from atlas.publish.site.scenario_pages import scenario_folders
from atlas.publish.site.site_table import site_data, write_site_data

__all__ = [
    "build_map",
    "index_chrome",
    "render_index",
    "write_index",
]

WORLD_BOUNDS = ((-60.0, -180.0), (75.0, 180.0))
"""(south, west), (north, east) in degrees: the view when there is nothing to fit."""


def initial_bounds(*frames: gpd.GeoDataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """The view to open on: the located features of ``frames``, widened to whole degrees.

    Returns ``((south, west), (north, east))`` in degrees, latitudes kept within
    :data:`WORLD_BOUNDS`; :data:`WORLD_BOUNDS` itself when nothing is located.
    """
    points = [located(frame) for frame in frames]
    points = [frame for frame in points if not frame.empty]
    if not points:
        return WORLD_BOUNDS
    west, south, east, north = pd.concat([f.geometry.bounds for f in points]).agg(
        {"minx": "min", "miny": "min", "maxx": "max", "maxy": "max"}
    )
    (min_lat, min_lon), (max_lat, max_lon) = WORLD_BOUNDS
    return (
        (max(math.floor(south) - 1.0, min_lat), max(math.floor(west) - 1.0, min_lon)),
        (min(math.ceil(north) + 1.0, max_lat), min(math.ceil(east) + 1.0, max_lon)),
    )


def build_map(
    layers: Layers,
    *,
    tiles: bool = False,
    plumes: Sequence[PlumeView] = (),
    text: PageText | None = None,
) -> AtlasMap:
    """Every layer on one folium map, for the index (:func:`render_index`).

    Parameters
    ----------
    layers : Layers
        The layers, in EPSG:4326; ``layers.sites`` may carry the joined fields
        (:func:`atlas.joins.join_sites`), shown in the sites' popups.
    tiles : bool
        Also offer OpenStreetMap tiles (online) as a base layer; it starts switched off,
        the offline Natural Earth basemap is shown first.
    plumes : sequence of PlumeView
        Modelled plumes (:func:`~atlas.publish.site.plume_tables.plume_view`): one layer of
        outlines each. Only the first side-by-side pair
        (:func:`~atlas.publish.site.plume_tables.featured`) is switched on when the page opens.
    text : PageText, optional
        What the page says (default: :func:`~.index_text.page_text` of the same arguments).

    Raises
    ------
    CRSPolicyError
        When a layer is not in EPSG:4326.
    """
    sites = layers.sites
    atlas_map = AtlasMap(control_scale=True, world_copy_jump=True, zoom_snap=0.5)
    atlas_map.default_js = list(MAP_SCRIPTS)
    atlas_map.default_css = list(MAP_STYLESHEETS)
    plumes = sorted(plumes, key=lambda plume: plume.name)
    text = page_text(layers, tiles=tiles, plumes=plumes) if text is None else text

    basemap_pane().add_to(atlas_map)
    sites_pane().add_to(atlas_map)
    detail = detail_windows(sites)
    offline_basemap().add_to(atlas_map)
    if tiles:
        openstreetmap_tiles().add_to(atlas_map)
    hydrography_near(layers.rivers_10m, layers.lakes_10m, detail).add_to(atlas_map)
    shown = featured(text.projections)
    for plume in plumes:
        plume_outlines(
            plume, hue_class=text.plume_hues[plume.name], show=plume.name in shown
        ).add_to(atlas_map)
    tailings_pond(layers.tailings_pond).add_to(atlas_map)
    usgs_records().add_to(atlas_map)
    observations(layers.observations).add_to(atlas_map)
    curated_sites(sites).add_to(atlas_map)
    folium.LayerControl(collapsed=True, position="topright").add_to(atlas_map)
    atlas_map.fit_bounds(list(map(list, initial_bounds(sites, layers.usgs_sites))))
    return atlas_map


INDEX_SOURCE_LINE = (
    "Map: Leaflet. Sources: USGS MRDS and carbonatites of the world (public domain); curated "
    "sites, each with its source; Natural Earth basemap (public domain)."
)
"""The source line of the index's embed."""


def index_chrome(
    text: PageText, sections: frozenset[str], *, modelled: str | None = None
) -> Chrome:
    """The :class:`~.pages.Chrome` of the index (the site's root folder), with its embed."""
    return Chrome(
        folder="",
        title=text.title,
        section="index",
        sections=sections,
        summary=text.summary,
        embed=True,
        source_line=INDEX_SOURCE_LINE,
        modelled=modelled,
    )


def render_index(
    layers: Layers,
    *,
    tiles: bool = False,
    plumes: Sequence[PlumeView] = (),
    sections: frozenset[str] = frozenset(),
    embed: bool = False,
    screening_label: str | None = None,
) -> str:
    """The HTML of ``index.html`` (or, with ``embed``, of ``embed.html``), deterministic.

    Parameters are those of :func:`build_map`; ``sections`` are the nav sections the site
    has (:class:`~.pages.Chrome`); ``screening_label`` the MODELLED label of the screening
    when the site data carries one (:func:`~.site_table.site_data`). Text from the data is
    only ever a value: what an element renders is never compiled as a template again (see
    :class:`~.page.AtlasPage`).
    """
    plumes = sorted(plumes, key=lambda plume: plume.name)
    text = page_text(layers, tiles=tiles, plumes=plumes)
    modelled = plumes[0].modelled if plumes else None
    chrome = index_chrome(text, sections, modelled=modelled)
    atlas_map = build_map(layers, tiles=tiles, plumes=plumes, text=text)
    name = "map_embed.html" if embed else "index.html"
    scenarios = {name: f"{folder}/index.html" for name, folder in scenario_folders(plumes).items()}
    return render_map_page(
        atlas_map,
        name,
        chrome,
        page=text,
        screening_label=screening_label,
        scenarios=scenarios,
        legend_html=text.legend_html,
        plumes=bool(text.projections),
    )


def write_index(
    site_dir: Path,
    layers: Layers,
    *,
    tiles: bool = False,
    plumes: Sequence[PlumeView] = (),
    sections: frozenset[str] = frozenset(),
    screening: gpd.GeoDataFrame | None = None,
    pages: Mapping[str, str] | None = None,
) -> Path:
    """Write ``index.html`` and ``embed.html`` (:func:`render_index`) into ``site_dir``, with
    the data files they load: every site (:func:`~.site_table.write_site_data`) and the
    offline basemap (:func:`~.basemap.write_basemap_data`); ``pages`` maps a curated site's
    name to its page (relative to the site root), linked from the table."""
    data = site_data(layers.usgs_sites, layers.sites, pages=pages, screening=screening)
    write_site_data(site_dir, data)
    detail = detail_windows(layers.sites)
    basemap = basemap_data(layers.countries, layers.lakes_50m, layers.rivers_50m, detail=detail)
    write_basemap_data(site_dir, basemap)
    index = partial(
        render_index, layers, tiles=tiles, sections=sections, screening_label=data["modelled"]
    )
    chrome = index_chrome(page_text(layers, tiles=tiles, plumes=plumes), sections)
    # The embed is the map of the sites: the plumes have their own pages and embeds.
    return write_page(site_dir, chrome, index(plumes=plumes), embed=index(embed=True))
