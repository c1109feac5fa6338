"""A page per curated site with a verified location (``sites/<slug>/index.html`` and its
``embed.html``), the list of those pages (``sites/index.html``) and each site's data to
download (``downloads/sites/<slug>.geojson`` and ``.csv``).

A site's page holds a map zoomed to the site with the layers around it (the site and its
neighbours, the tailings pond, observations, USGS records, 1:10m rivers and lakes), its facts,
every number with its source (the site's popup of :mod:`.popups`), the export-control timeline
of its commodities (:mod:`.site_facts`), its screening results when the build has them, and
its downloads. Slugs come from the names (:func:`~.pages.slug`), in name order, so they are
the same every build.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely

from atlas.crs import WGS84
from atlas.load import Layers
from atlas.publish.site.assets import MAP_SCRIPTS, MAP_STYLESHEETS
from atlas.publish.site.basemap import (
    basemap_pane,
    hydrography_near,
    keep_within,
    local_basemap,
)
from atlas.publish.site.features import feature_collection
from atlas.publish.site.legend import legend_html
from atlas.publish.site.overlays import (
    curated_sites,
    observations,
    sites_pane,
    tailings_pond,
    usgs_records,
)
from atlas.publish.site.page import AtlasMap
from atlas.publish.site.pages import Chrome, render_map_page, render_page, slug, write_page
from atlas.publish.site.popups import site_popup, text_of
from atlas.publish.site.site_facts import (
    commodity_groups,
    export_control_timeline,
    nearby,
    paged_sites,
)
from atlas.scenario import Scenario
from atlas.screening import HORIZONS_YR, nearest_water_label

__all__ = [
    "NEARBY_KM",
    "SITE_VIEW_DEG",
    "SITE_WINDOW_DEG",
    "Projection",
    "SitePage",
    "projections_at",
    "site_pages",
    "write_site_pages",
]

SITE_WINDOW_DEG = 1.5
"""Half-width (degrees) of the box around a site whose layers its page draws (its map, its
data, its key), and which its map keeps its view within: the box the shipped 1:10m rivers and
lakes are clipped to around the curated sites (``scripts/prepare_layers.py``)."""

SITE_VIEW_DEG = 0.2
"""Half-width (degrees) of the view a site's map opens on."""

DOWNLOADS = "downloads/sites"
"""Folder of the sites' data files in the site."""


@dataclass(frozen=True)
class SitePage:
    """A curated site with a page: its name, slug and row (the joined fields included)."""

    name: str
    slug: str
    row: pd.Series

    @property
    def folder(self) -> str:
        """The page's folder in the site."""
        return f"sites/{self.slug}"

    def around(self, half_deg: float) -> shapely.Geometry:
        """The box of ``half_deg`` degrees on each side of the site, EPSG:4326 degrees."""
        point = self.row.geometry
        return shapely.box(
            point.x - half_deg, point.y - half_deg, point.x + half_deg, point.y + half_deg
        )

    @property
    def window(self) -> shapely.Geometry:
        """The box of :data:`SITE_WINDOW_DEG` around the site."""
        return self.around(SITE_WINDOW_DEG)


def site_pages(sites: gpd.GeoDataFrame) -> tuple[SitePage, ...]:
    """The sites that get a page (:func:`~.site_facts.paged_sites`), in name order, each with
    a unique slug."""
    rows = paged_sites(sites)
    rows = rows.sort_values("name", kind="stable", key=lambda c: c.astype(str))
    taken: set[str] = set()
    pages = []
    for _, row in rows.iterrows():
        name = text_of(row.get("name")) or "(unnamed site)"
        page = SitePage(name, slug(name, taken), row)
        taken.add(page.slug)
        pages.append(page)
    return tuple(pages)


def site_map(layers: Layers, page: SitePage) -> AtlasMap:
    """The map of one site: the layers within its window, opened on the site and kept
    within the window."""
    window = page.window
    atlas_map = AtlasMap(control_scale=True, zoom_snap=0.5)
    atlas_map.default_js = list(MAP_SCRIPTS)
    atlas_map.default_css = list(MAP_STYLESHEETS)
    basemap_pane().add_to(atlas_map)
    sites_pane().add_to(atlas_map)
    local_basemap(layers.countries, window).add_to(atlas_map)
    hydrography_near(layers.rivers_10m, layers.lakes_10m, window).add_to(atlas_map)
    tailings_pond(nearby(layers.tailings_pond, window)).add_to(atlas_map)
    usgs_records().add_to(atlas_map)
    observations(nearby(layers.observations, window)).add_to(atlas_map)
    curated_sites(nearby(layers.sites, window)).add_to(atlas_map)
    folium.LayerControl(collapsed=True, position="topright").add_to(atlas_map)
    west, south, east, north = (float(v) for v in shapely.bounds(page.around(SITE_VIEW_DEG)))
    atlas_map.fit_bounds([[south, west], [north, east]])
    keep_within(window).add_to(atlas_map)
    return atlas_map


def _jsonable(value: Any) -> Any:
    """A cell as a JSON value: numbers as numbers (non-finite ones as None), text as text."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if isinstance(value, bool | int | float | str):
        return value
    return None if pd.isna(value) else str(value)


def site_features(layers: Layers, page: SitePage) -> gpd.GeoDataFrame:
    """The site's data: the site, then the pond, observations and USGS records within its
    window, each row with its ``layer``; EPSG:4326."""
    window = page.window
    parts = [
        ("sites", gpd.GeoDataFrame([page.row], crs=layers.sites.crs)),
        ("tailings_pond", nearby(layers.tailings_pond, window)),
        ("observations", nearby(layers.observations, window)),
        ("usgs_sites", nearby(layers.usgs_sites, window)),
    ]
    frames = [frame.assign(layer=name) for name, frame in parts if not frame.empty]
    joined = pd.concat(frames, ignore_index=True)
    columns = ["layer", *(c for c in joined.columns if c not in {"layer", "geometry"})]
    return gpd.GeoDataFrame(joined[[*columns, "geometry"]], geometry="geometry", crs=4326)


def write_site_downloads(site_dir: Path, frame: gpd.GeoDataFrame, name: str) -> list[Path]:
    """Write ``frame`` (:func:`site_features`) as ``downloads/sites/<name>.geojson`` and
    ``.csv`` (geometry as WKT, coordinates to 6 decimals) into ``site_dir``."""
    folder = site_dir.joinpath(*DOWNLOADS.split("/"))
    folder.mkdir(parents=True, exist_ok=True)
    properties = [c for c in frame.columns if c != "geometry"]
    collection = feature_collection(
        frame,
        lambda row: {c: _jsonable(row[c]) for c in properties},
        sort_by=(),
        decimals=6,
        where=f"{DOWNLOADS}/{name}.geojson",
    )
    geojson = folder / f"{name}.geojson"
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    geojson.write_text(text + "\n", encoding="utf-8", newline="\n")
    table = pd.DataFrame(frame[properties]).assign(
        geometry_wkt=shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=6)
    )
    csv = folder / f"{name}.csv"
    table.to_csv(csv, index=False, lineterminator="\n")
    return [geojson, csv]


@dataclass(frozen=True)
class ScreeningFacts:
    """What a site's page says of its screening (plain text; ``None`` when not known)."""

    water: str | None
    reach: str | None
    source: str
    modelled: str


def _finite(value: Any) -> float | None:
    number = _jsonable(value)
    return float(number) if isinstance(number, int | float) else None


def _screened(screening: pd.DataFrame | None, page: SitePage) -> ScreeningFacts | None:
    """The site's results of the screening layer (:mod:`atlas.screening`), if any."""
    if screening is None:
        return None
    found = screening[screening["site_id"] == f"sites.csv:{page.row['name']}"]
    if found.empty:
        return None
    row = found.iloc[0]
    distance_m = _finite(row["distance_m"])
    water = None
    if distance_m is not None:
        name = nearest_water_label(
            text_of(row["nearest_water_name"]), text_of(row["nearest_water_kind"])
        )
        water = (
            f"{name}, {distance_m / 1000:.1f} km (measured in EPSG:{row['utm_epsg']} on "
            "Natural Earth 1:10m and 1:50m rivers and lakes)"
        )
    chances = [_finite(row[f"p_reach_{h}yr"]) for h in HORIZONS_YR]
    reach = None
    if all(p is not None for p in chances):
        reach = ", ".join(
            f"{100 * p:.0f}% within {h} years"  # type: ignore[operator]
            for p, h in zip(chances, HORIZONS_YR, strict=True)
        )
    return ScreeningFacts(
        water=water,
        reach=reach,
        source=f"this atlas, {row['method']}; {row['realizations']} realizations",
        modelled=str(row["modelled"]),
    )


@dataclass(frozen=True)
class Projection:
    """A modelled plume whose grid holds a site or lies near it: the scenario's name, title
    (:attr:`atlas.scenario.Scenario.display_title`) and description, its page relative to the
    site root, and how far its grid is from the site (km; 0 when the grid holds it)."""

    name: str
    title: str
    description: str
    href: str
    distance_km: float = 0.0


NEARBY_KM = 25.0
"""Distance (km) within which a plume's grid counts as near a site: a mine and the ponds its
wastewater went to can lie that far apart (the Mountain Pass mine and the Ivanpah Dry Lake
ponds, about 10 km)."""


def projections_at(
    page: SitePage, scenarios: Sequence[Scenario], folders: Mapping[str, str]
) -> tuple[Projection, ...]:
    """The scenarios whose grid covers the site or lies within :data:`NEARBY_KM` of it (in
    the scenario's CRS), those with a page (``folders``: folder by scenario name,
    :func:`~.scenario_pages.scenario_folders`): those holding it first, then the nearest.

    Parameters
    ----------
    page : SitePage
        The site; its point is in EPSG:4326.
    scenarios : sequence of Scenario
        The build's scenarios (each grid in its own projected CRS).
    folders : mapping of str to str
        Page folders by scenario name.
    """
    point = page.row.geometry
    if point is None or point.is_empty:
        return ()
    found = []
    for scenario in scenarios:
        if scenario.name not in folders:
            continue
        local = gpd.GeoSeries([point], crs=WGS84).to_crs(scenario.crs).iloc[0]
        distance_km = float(scenario.grid.box.distance(local)) / 1000.0
        if distance_km <= NEARBY_KM:
            href = f"{folders[scenario.name]}/index.html"
            found.append(
                Projection(
                    scenario.name,
                    scenario.display_title,
                    scenario.description or "",
                    href,
                    distance_km,
                )
            )
    return tuple(sorted(found, key=lambda p: (p.distance_km, p.name)))


def _sentence_case(text: str) -> str:
    """``text`` with its first letter in upper case ("mine / pilot plant" -> "Mine / ...")."""
    return text[:1].upper() + text[1:]


def _chrome(page: SitePage, sections: frozenset[str], source: str) -> Chrome:
    return Chrome(
        folder=page.folder,
        title=page.name,
        section="sites",
        sections=sections,
        summary=f"{_sentence_case(text_of(page.row.get('kind')) or 'site')} in "
        f"{text_of(page.row.get('country')) or 'an unknown country'}: where it is, what is "
        "around it, its facts with their sources, and its data.",
        embed=True,
        source_line=f"Site: {source}. Map: Leaflet; Natural Earth (public domain); USGS "
        "MRDS (public domain).",
    )


def write_site_pages(
    site_dir: Path,
    layers: Layers,
    pages: tuple[SitePage, ...],
    *,
    sections: frozenset[str],
    screening: pd.DataFrame | None = None,
    geopackage: str | None = None,
    scenarios: Sequence[Scenario] = (),
    folders: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write every site's page with its embed and downloads, and ``sites/index.html``.

    Parameters
    ----------
    site_dir : pathlib.Path
        The (staged) site folder.
    layers : Layers
        The layers (sites joined), EPSG:4326.
    pages : tuple of SitePage
        The sites with a page (:func:`site_pages`).
    sections : frozenset of str
        The nav sections of the build (:class:`~.pages.Chrome`).
    screening : pandas.DataFrame, optional
        The screening layer: each site's modelled results are shown when present.
    geopackage : str, optional
        The GeoPackage of the build, relative to the site root, when it has one.
    scenarios : sequence of Scenario, optional
        The build's scenarios: a site links the pages of those whose grid holds it
        (:func:`projections_at`).
    folders : mapping of str to str, optional
        Their page folders by scenario name.
    """
    written = []
    for page in pages:
        source = text_of(page.row.get("source")) or "(no source given)"
        chrome = _chrome(page, sections, source)
        groups = commodity_groups(page.row.get("commodity"))
        values = {
            "facts": site_popup({str(k): v for k, v in page.row.items()}),
            "timeline": export_control_timeline(layers.context_facts, groups),
            "groups": sorted(groups),
            "screening": _screened(screening, page),
            "downloads": [f"{DOWNLOADS}/{page.slug}.{ext}" for ext in ("geojson", "csv")],
            "geopackage": geopackage,
            "projections": projections_at(page, scenarios, folders or {}),
            "nearby_km": NEARBY_KM,
        }
        write_site_downloads(site_dir, site_features(layers, page), page.slug)
        html = render_map_page(site_map(layers, page), "site.html", chrome, **values)
        embed = render_map_page(
            site_map(layers, page),
            "map_embed.html",
            chrome,
            legend_html=legend_html(nearby(layers.sites, page.window).get("kind", [])),
            plumes=False,
        )
        written.append(write_page(site_dir, chrome, html, embed=embed))
    listing = Chrome(
        folder="sites",
        title="Sites",
        section="sites",
        sections=sections,
        summary="The curated sites of the atlas that have a verified location.",
    )
    rows = [
        (page, text_of(page.row.get("kind")), text_of(page.row.get("country"))) for page in pages
    ]
    written.append(write_page(site_dir, listing, render_page("sites.html", listing, rows=rows)))
    return written
