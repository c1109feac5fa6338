"""The pages of the modelled plumes: ``scenarios/<slug>/index.html`` and ``embed.html`` per
scenario, and the list ``scenarios/index.html``.

A scenario page shows the filled concentration map of one output time (an image overlay per
time, :mod:`.plume_images`) with its isochrones, the receptors, the tailings pond and the
observations, and a time slider that swaps the time (``assets/plume.js``); the result in one
sentence, the chart of the concentration at the receptors (and of the probability of arrival
when an ensemble exists) with its data, the assumptions, the facts with their sources and the
downloads. Scenarios on the same grid are shown side by side as a claim check, with the
observations on that grid. Pages are written through the site's framework (:mod:`.pages`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import folium
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin

from atlas.ensemble.result import EnsembleResult
from atlas.load import Layers
from atlas.publish.site.assets import MAP_SCRIPTS, MAP_STYLESHEETS
from atlas.publish.site.basemap import (
    basemap_pane,
    hydrography_near,
    keep_within,
    offline_basemap,
)
from atlas.publish.site.overlays import observations, tailings_pond
from atlas.publish.site.page import AtlasMap
from atlas.publish.site.pages import Chrome, render_map_page, render_page, slug, write_page
from atlas.publish.site.plume_tables import PlumeView, plume_tables
from atlas.publish.site.scenario_view import (
    PLUME_DATA,
    ScenarioView,
    claim_check,
    observed_on_grid,
    scenario_view,
)
from atlas.publish.site.templates import template
from atlas.result import MODELLED_LABEL, PlumeResult

__all__ = ["SCENARIOS_FOLDER", "scenario_folders", "write_scenario_pages"]

SCENARIOS_FOLDER = "scenarios"
"""Folder of the scenario pages in the site."""

SURROUNDINGS_DEG = 1.0
"""Degrees around a plume's grid in which its map draws 1:10m water, and which it keeps its
view within (zoomed out further, the rivers would end in the open)."""

PLUME_SCRIPT = "assets/plume.js"
"""The script of the filled plume and its slider."""


class _Plume(JSCSSMixin, MacroElement):
    """Draws the page's plume data file (loaded in the head) on its parent map, with the
    slider of the page (``templates/plume_layer.html``, ``assets/plume.js``)."""

    _template = template("plume_layer.html")

    def __init__(self, folder: str) -> None:
        super().__init__()
        self.default_js = [
            ("atlas_plume", PLUME_SCRIPT),
            ("atlas_plume_data", f"{folder}/{PLUME_DATA}"),
        ]


def _scenario_map(view: ScenarioView, layers: Layers) -> AtlasMap:
    """The map of a scenario page: basemap, 1:10m water, the plume, pond and observations."""
    atlas_map = AtlasMap(control_scale=True, zoom_snap=0.5)
    atlas_map.default_js = list(MAP_SCRIPTS)
    atlas_map.default_css = list(MAP_STYLESHEETS)
    (south, west), (north, east) = view.frames.bounds
    margin = SURROUNDINGS_DEG
    window = shapely.box(west - margin, south - margin, east + margin, north + margin)
    basemap_pane().add_to(atlas_map)
    offline_basemap().add_to(atlas_map)
    hydrography_near(layers.rivers_10m, layers.lakes_10m, window).add_to(atlas_map)
    _Plume(view.folder).add_to(atlas_map)
    tailings_pond(layers.tailings_pond).add_to(atlas_map)
    observations(layers.observations).add_to(atlas_map)
    folium.LayerControl(collapsed=True, position="topright").add_to(atlas_map)
    atlas_map.fit_bounds([[south, west], [north, east]])
    keep_within(window).add_to(atlas_map)
    return atlas_map


def _chrome(view: ScenarioView, sections: frozenset[str]) -> Chrome:
    return Chrome(
        folder=view.folder,
        title=f"Modelled plume: {view.title}",
        section="scenarios",
        sections=sections,
        summary=view.sentence,
        embed=True,
        source_line=(
            f"MODELLED by this atlas from the scenario {view.name}, not measured. Map: "
            "Leaflet; Natural Earth (public domain); pond and observations: sources in their "
            "popups."
        ),
        modelled=MODELLED_LABEL,
    )


def scenario_folders(plumes: Sequence[PlumeView]) -> dict[str, str]:
    """The page folder of each plume that has a page (it moved solute), by scenario name:
    ``scenarios/<slug>`` (:func:`~.pages.slug`, unique, in name order)."""
    taken: list[str] = []
    folders = {}
    for name in sorted(plume.name for plume in plumes if plume.transports):
        taken.append(slug(name, taken))
        folders[name] = f"{SCENARIOS_FOLDER}/{taken[-1]}"
    return folders


def _views(
    results: Sequence[PlumeResult],
    plumes: Sequence[PlumeView],
    ensembles: Mapping[str, EnsembleResult],
    site: Path,
) -> list[ScenarioView]:
    by_name = {plume.name: plume for plume in plumes}
    folders = scenario_folders(plumes)
    return [
        scenario_view(
            result,
            by_name[result.name],
            folder=folders[result.name],
            site=site,
            ensemble=ensembles.get(result.name),
        )
        for result in sorted(results, key=lambda r: r.name)
        if result.name in folders
    ]


def write_scenario_pages(
    site: Path,
    layers: Layers,
    results: Sequence[PlumeResult],
    plumes: Sequence[PlumeView],
    *,
    sections: frozenset[str],
    ensembles: Mapping[str, EnsembleResult] | None = None,
) -> list[Path]:
    """Write every scenario page, its embed and the list of scenarios into ``site``.

    Parameters
    ----------
    site : pathlib.Path
        The (staged) site folder; ``plumes/<name>/`` already holds each result's files.
    layers : Layers
        The layers (pond, observations, 1:10m water, the basemap's data file written).
    results, plumes : sequence
        The plume results and their views (:func:`~.plume_tables.plume_view`), by name.
    sections : frozenset of str
        The nav sections of this build.
    ensembles : mapping of str to EnsembleResult, optional
        Ensembles by scenario name: their chart, P5-P95 range and assumptions are shown.

    Returns
    -------
    list of pathlib.Path
        The pages written (each scenario's ``index.html``, then the list).
    """
    views = _views(results, plumes, ensembles or {}, site)
    tables = plume_tables(plumes)
    by_name = {result.name: result for result in results}
    written = []
    for view in views:
        chrome = _chrome(view, sections)
        grid = by_name[view.name].scenario.grid
        nearby = [
            other.name
            for other in views
            if other.verdicts
            and by_name[other.name].scenario.crs == grid.crs
            and by_name[other.name].scenario.grid.box.intersects(grid.box)
        ]
        check = claim_check(
            view,
            tables,
            views,
            observed_on_grid(layers.observations, by_name[view.name]),
            nearby,
        )
        values = {"view": view, "check": check}
        full = render_map_page(_scenario_map(view, layers), "scenario.html", chrome, **values)
        embed = render_map_page(
            _scenario_map(view, layers), "scenario_embed.html", chrome, **values
        )
        written.append(write_page(site, chrome, full, embed=embed))
    listing = Chrome(
        folder=SCENARIOS_FOLDER,
        title="Modelled plumes",
        section="scenarios",
        sections=sections,
        summary="Groundwater plumes modelled by this atlas from scenario files: screening "
        "projections, not measurements.",
    )
    written.append(write_page(site, listing, render_page("scenarios.html", listing, views=views)))
    return written
