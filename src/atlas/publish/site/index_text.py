"""What the index page says besides its map: the legend, the sources, the sites without a
location, the outlines and the tables of the modelled plumes (plain text unless typed
:class:`~markupsafe.Markup` made by the site's templates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
from markupsafe import Markup

from atlas.load import Layers
from atlas.publish.site.features import located
from atlas.publish.site.legend import legend_html
from atlas.publish.site.overlays import plume_hues, plume_times
from atlas.publish.site.plume_tables import PlumeTable, PlumeView, plume_tables
from atlas.publish.site.popups import pond_popup, text_of

__all__ = ["TITLE", "Listed", "PageText", "page_text"]

TITLE = "Rare-earth mines, tailings and their surroundings"


@dataclass(frozen=True)
class Listed:
    """A feature listed in the side panel instead of drawn (it has no location)."""

    name: str
    facts: str
    notes: str
    source: str


@dataclass(frozen=True)
class PageText:
    """Everything the page says besides the map; plain text unless typed :class:`Markup`."""

    title: str
    summary: str
    legend_html: Markup
    sources: tuple[str, ...]
    tiles: bool
    outlines: tuple[Markup, ...]
    unlocated_sites: tuple[Listed, ...]
    unlocated_observations: tuple[Listed, ...]
    projections: tuple[PlumeTable, ...] = ()
    plume_hues: Mapping[str, str] = field(default_factory=dict)
    plume_times: tuple[tuple[str, str], ...] = ()


def _unlocated(frame: gpd.GeoDataFrame | None, facts: tuple[str, ...]) -> tuple[Listed, ...]:
    """Rows of ``frame`` without a geometry, sorted by name, with a one-line summary of facts."""
    if frame is None:
        return ()
    missing = frame[frame.geometry.isna() | frame.geometry.is_empty]
    listed = [
        Listed(
            name=text_of(row.get("name")) or "(unnamed)",
            facts="; ".join(t for t in (text_of(row.get(c)) for c in facts) if t),
            notes=text_of(row.get("notes")) or "",
            source=text_of(row.get("source")) or "",
        )
        for _, row in missing.iterrows()
    ]
    return tuple(sorted(listed, key=lambda item: item.name.casefold()))


def _sources(layers: Layers, tiles: bool, plumes: Sequence[PlumeView]) -> tuple[str, ...]:
    usgs = layers.usgs_sites
    drawn = len(located(usgs))
    sources = [
        "Basemap: Natural Earth 1:50m countries, lakes and rivers; near the sites, Natural "
        "Earth 1:10m rivers and lakes (the lines distances are measured to). Public domain, "
        "naturalearthdata.com.",
        "Clustered points: USGS Mineral Resources Data System (MRDS), OFR 02-189 (rare-earth "
        "mines, deposits and occurrences) and OFR 2009-1139 (carbonatites of the world). "
        f"Public domain. {drawn} of {len(usgs)} records are drawn; {len(usgs) - drawn} have "
        "no coordinates.",
        "Curated sites: compiled for this atlas, each with its own source (USGS records, "
        "Wikipedia infoboxes, Natural Earth populated places); only coordinates read from a "
        "source are drawn.",
        "Distances: metres measured in the UTM zone of each site, shown in kilometres.",
    ]
    if plumes:
        sources.append(
            "Plume outlines: MODELLED by this atlas from the scenarios "
            f"({', '.join(p.name for p in plumes)}), not measured; their parameters, "
            "sources and assumptions are in the tables below the map."
        )
    if tiles:
        sources.append(
            "Optional online tiles: OpenStreetMap contributors, ODbL (openstreetmap.org/copyright)."
        )
    return tuple(sources)


def page_text(layers: Layers, *, tiles: bool, plumes: Sequence[PlumeView] = ()) -> PageText:
    """What the page says about ``layers`` and the ``plumes`` (see :class:`PageText`)."""
    sites = layers.sites
    outlines = tuple(pond_popup(row) for _, row in layers.tailings_pond.iterrows())
    return PageText(
        title=TITLE,
        summary=(
            "Where rare earths are mined, processed and stored as tailings, with the rivers "
            "and towns nearby. Built from public-domain data; works offline."
        ),
        legend_html=legend_html(sites.get("kind", [])),
        sources=_sources(layers, tiles, plumes),
        tiles=tiles,
        outlines=outlines,
        unlocated_sites=_unlocated(sites, ("kind", "commodity", "country")),
        unlocated_observations=_unlocated(layers.observations, ("measured", "result", "date")),
        projections=plume_tables(plumes),
        plume_hues=plume_hues(plumes),
        plume_times=plume_times(plumes),
    )
