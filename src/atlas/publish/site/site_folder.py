"""The whole site written into a folder: every page (layout: :mod:`.pages`), the data files
and ``assets/`` they load, the downloads and each plume result's files.

The site is built in a temporary folder next to its place and moved into place
(:mod:`atlas.publish.staging`), so a failed build never leaves a half-written site, and every
link of a page points to a file of the same build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import geopandas as gpd
from markupsafe import Markup

from atlas.ensemble.result import EnsembleResult
from atlas.load import Layers
from atlas.publish.outputs import write_result
from atlas.publish.outputs.quicklook import Surroundings, surroundings_of
from atlas.publish.site.assets import copy_assets
from atlas.publish.site.context_page import write_context_page
from atlas.publish.site.map import write_index
from atlas.publish.site.pages import RESIZE_SCRIPT, Chrome, embed_id, render_page, write_page
from atlas.publish.site.plume_tables import Download, PlumeView, plume_view
from atlas.publish.site.scenario_pages import scenario_folders, write_scenario_pages
from atlas.publish.site.site_pages import SitePage, site_pages, write_site_pages
from atlas.publish.staging import check_target, staged_folder
from atlas.result import PlumeResult

__all__ = ["GEOPACKAGE", "PLUMES_FOLDER", "SITE_PAGE", "check_site_folder", "write_site"]

SITE_PAGE = "index.html"
"""The page of a site folder; a folder without it is never replaced."""

PLUMES_FOLDER = "plumes"
"""Folder of the site holding each projection's files, ``plumes/<scenario>/``."""

GEOPACKAGE = "downloads/atlas.gpkg"
"""Where the build's GeoPackage goes in the site."""


def _write_plumes(
    results: Sequence[PlumeResult], site: Path, surroundings: Surroundings
) -> list[PlumeView]:
    """Write each result's files into ``plumes/<scenario>/`` of the site, the quicklook maps
    over ``surroundings``; their views."""
    return [
        plume_view(
            result,
            write_result(result, site / PLUMES_FOLDER / result.name, surroundings=surroundings),
        )
        for result in results
    ]


def check_site_folder(out_dir: Path) -> None:
    """Fail early when :func:`write_site` would refuse ``out_dir`` (a file, or a non-empty
    folder that holds no site), before any lengthy work.

    Raises
    ------
    OutputError
        Naming the folder and the fix.
    """
    check_target(Path(out_dir), marker=SITE_PAGE, kind="site")


def write_embed_guide(site_dir: Path, sections: frozenset[str]) -> Path:
    """Write ``embed/index.html``: the embed code with its copy button and a live example."""
    chrome = Chrome(
        folder="embed",
        title="Embed the atlas's maps",
        section="embed",
        sections=sections,
        summary="How to put a map of the atlas in an article: one snippet, resized to fit.",
    )
    html = render_page(
        "embed_guide.html",
        chrome,
        example_id=embed_id(""),
        resize_script=Markup(RESIZE_SCRIPT),  # a constant of the code, not data
    )
    return write_page(site_dir, chrome, html)


def write_downloads(
    site_dir: Path,
    sections: frozenset[str],
    pages: Sequence[SitePage],
    plumes: Sequence[PlumeView],
    geopackage: Download | None,
) -> Path:
    """Write ``downloads/index.html``: the GeoPackage, each site's files, each plume's."""
    chrome = Chrome(
        folder="downloads",
        title="Downloads",
        section="downloads",
        sections=sections,
        summary="The data of the atlas, to open in a GIS, a spreadsheet or your own code.",
    )
    html = render_page("downloads.html", chrome, pages=pages, plumes=plumes, geopackage=geopackage)
    return write_page(site_dir, chrome, html)


def write_site(
    out_dir: Path,
    layers: Layers,
    *,
    tiles: bool = False,
    results: Sequence[PlumeResult] = (),
    screening: gpd.GeoDataFrame | None = None,
    geopackage: Callable[[Path], Path] | None = None,
    ensembles: Mapping[str, EnsembleResult] | None = None,
) -> Path:
    """Write every page of the site, ``assets/``, ``plumes/`` and ``downloads/`` into
    ``out_dir``; return the index page's path.

    A previous site in ``out_dir`` is replaced.

    Parameters
    ----------
    out_dir : pathlib.Path
        The site folder (created if missing).
    layers : Layers
        The layers, in EPSG:4326; ``layers.sites`` may carry the joined fields
        (:func:`atlas.joins.join_sites`).
    tiles : bool
        Also offer OpenStreetMap tiles (online) on the index, switched off at first.
    results : sequence of PlumeResult
        Plume results: their files are written into ``plumes/<scenario>/``
        (:func:`atlas.publish.outputs.write_result`), linked from the pages, and their
        outlines and tables shown on the index.
    screening : geopandas.GeoDataFrame, optional
        The screening layer (:func:`atlas.screening.screen_sites`): its nearest water,
        distance and modelled chances of reach are added to the table of sites and to the
        sites' pages.
    geopackage : callable, optional
        Writes the build's GeoPackage at the path it is given and returns it (e.g.
        :func:`atlas.publish.outputs.geopackage.write_geopackage` with the build's contents):
        called with :data:`GEOPACKAGE` in the staged site, and the file linked from the pages.
    ensembles : mapping of str to EnsembleResult, optional
        Ensembles by scenario name, shown on their scenario's page
        (:func:`~.scenario_pages.write_scenario_pages`).

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, or a non-empty folder that does not hold a site.
    CRSPolicyError
        When a layer is not in EPSG:4326.
    """
    out_dir = Path(out_dir)
    pages = site_pages(layers.sites)
    with staged_folder(out_dir, marker=SITE_PAGE, kind="site") as staging:
        plumes = _write_plumes(results, staging, surroundings_of(layers))
        package = None
        if geopackage is not None:
            path = geopackage(staging.joinpath(*GEOPACKAGE.split("/")))
            package = Download(GEOPACKAGE, path.stat().st_size)
        # The nav sections this build writes a page for (see atlas.publish.site.pages.NAV).
        sections = frozenset({"index", "sites", "scenarios", "context", "embed", "downloads"})
        links = {page.name: f"{page.folder}/{SITE_PAGE}" for page in pages}
        write_index(
            staging,
            layers,
            tiles=tiles,
            plumes=plumes,
            sections=sections,
            screening=screening,
            pages=links,
        )
        write_site_pages(
            staging,
            layers,
            pages,
            sections=sections,
            screening=screening,
            geopackage=None if package is None else package.name,
            scenarios=[result.scenario for result in results],
            folders=scenario_folders(plumes),
        )
        write_scenario_pages(
            staging, layers, results, plumes, sections=sections, ensembles=ensembles
        )
        write_context_page(staging, layers.context_facts, sections=sections)
        write_embed_guide(staging, sections)
        write_downloads(staging, sections, pages, plumes, package)
        copy_assets(staging)
    return out_dir / SITE_PAGE
