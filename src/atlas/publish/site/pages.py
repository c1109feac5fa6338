"""How a page of the site is written: one base template, a full page and its embed variant.

Folder layout of a built site (every link is relative, so the site works from any folder, on
any host, and opened from disk as ``file://``; a link to a folder always names its
``index.html``)::

    index.html, embed.html              the world map and the table of every site (map.py)
    sites/index.html                    the list of curated sites with a verified location
    sites/<slug>/index.html, embed.html one curated site (site_pages.py, slug: :func:`slug`)
    scenarios/index.html                the list of scenarios
    scenarios/<name>/index.html, embed.html   one scenario's modelled plume
    context/index.html                  supply, trade and export-control charts
    embed/index.html                    the embed guide for newsrooms
    downloads/index.html                every download; downloads/atlas.gpkg, downloads/sites/
    assets/                             scripts, styles, images (assets.py)
    assets/data/sites.js, basemap.js    every site as compact data (site_table.py) and the
                                        world basemap (basemap.py), shared by the map pages
    plumes/<scenario>/                  each plume result's files (NetCDF, GeoTIFF, ...)

:func:`atlas.publish.site.site_folder.write_site` writes them all through a staged folder;
a new kind of page gets its writer called there, and its nav key added to the ``sections``
set there (the nav links only to sections a build writes). Every build has the data files, so
any map page may add :func:`~.overlays.usgs_records` (clustered USGS records with their
popups) and :func:`~.basemap.offline_basemap` (the world) or
:func:`~.basemap.local_basemap` (the land around one place, drawn in the page).

Writing a page
--------------
1. Describe it with a :class:`Chrome`: its folder (``"sites/baotou"``; ``""`` is the site's
   root), title, nav section (a key of :data:`NAV`), the sections this build has (the nav
   shows only those), and for a page with an embed variant the embed's one source line and,
   for modelled content, the MODELLED label (:data:`atlas.result.MODELLED_LABEL`).
2. Render it through the site's single autoescaping Jinja environment
   (:mod:`.templates`): a template that ``{% extends "base.html" %}`` (the full page, with the
   site nav, the skip link, the footer, and an "embed this" box when ``chrome.embed``) or
   ``{% extends "embed_base.html" %}`` (the embed variant: no chrome, fills its iframe down
   to 320 px, the source line and MODELLED label always visible, ``assets/embed.js`` posting
   its height). Blocks: ``head`` (extra ``<head>`` markup), ``main`` (the content) and
   ``scripts`` (end of ``<body>``). Every template gets ``chrome`` (use ``chrome.root`` before
   every site-relative URL: ``{{ chrome.root }}assets/atlas.css``) and the values given.

   - a page without a map: ``render_page("context.html", chrome, charts=...)``;
   - a page with a folium map (built on a :class:`~.page.AtlasMap`):
     ``render_map_page(atlas_map, "site.html", chrome, facts=...)``, whose template also
     gets ``this`` and ``kwargs`` and writes ``this.header``/``this.html``/``this.script``
     (see ``templates/site.html``); the map's script and style links are made relative to
     ``chrome.root`` for it. A map belongs to one page: build it again for the embed.
3. :func:`write_page` writes ``<folder>/index.html`` and, when given, ``<folder>/embed.html``
   into the (staged) site folder.

Text from layers, scenarios and file names only ever reaches a template as a value, so it is
escaped; markup passed in is :class:`~markupsafe.Markup` rendered by the same environment.

Embeds
------
``embed.html`` posts its height to the parent window whenever it changes, as
``{"datawrapper-height": {"<embed id>": height_px}}`` (:func:`embed_id`), the message
Datawrapper's embeds send, so a page that already resizes Datawrapper iframes resizes these
too. The parent-side snippet (the iframe and a one-line listener) is :data:`RESIZE_SCRIPT`,
shown with a copy button on every map page and on the embed guide.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium

from atlas.publish.site.page import AtlasPage
from atlas.publish.site.templates import render

__all__ = [
    "EMBED_PAGE",
    "NAV",
    "PAGE",
    "RESIZE_SCRIPT",
    "Chrome",
    "NavLink",
    "embed_id",
    "render_map_page",
    "render_page",
    "slug",
    "write_page",
]

PAGE = "index.html"
"""The full page of a folder."""

EMBED_PAGE = "embed.html"
"""The embed variant of a folder's page."""


@dataclass(frozen=True)
class NavLink:
    """An entry of the site nav: its section key, label and page (site-relative)."""

    key: str
    label: str
    target: str


NAV: tuple[NavLink, ...] = (
    NavLink("index", "Index", PAGE),
    NavLink("sites", "Sites", f"sites/{PAGE}"),
    NavLink("scenarios", "Scenarios", f"scenarios/{PAGE}"),
    NavLink("context", "Context", f"context/{PAGE}"),
    NavLink("embed", "Embed guide", f"embed/{PAGE}"),
    NavLink("downloads", "Downloads", f"downloads/{PAGE}"),
)
"""The site nav, in order; a build shows the sections it has (:attr:`Chrome.sections`)."""

RESIZE_SCRIPT = (
    '<script>window.addEventListener("message",function(e){var h=e.data&&'
    'e.data["datawrapper-height"];if(!h)return;document.querySelectorAll("iframe")'
    ".forEach(function(f){if(f.contentWindow===e.source)for(var k in h)"
    'f.style.height=h[k]+"px"})});</script>'
)
"""The parent page's one-line listener that sets an embed's iframe to the height it posts."""

SLUG_MAX_CHARS = 60
"""The longest slug (:func:`slug`) before a ``-2`` suffix."""

_FOLDER = re.compile(r"^(?:[a-z0-9][a-z0-9_-]*)(?:/[a-z0-9][a-z0-9_-]*)*$|^$")


@dataclass(frozen=True)
class Chrome:
    """What the base templates need to know about a page (see the module docstring).

    Parameters
    ----------
    folder : str
        The page's folder relative to the site root, ``/``-separated, lower-case ASCII
        (``""`` for the root, ``"sites/baotou"``).
    title : str
        Title of the page (plain text).
    section : str
        Key of the :data:`NAV` entry the page belongs to (marked as the current one).
    sections : frozenset of str
        Keys of the sections this build has; the nav links only to those.
    summary : str
        One sentence under the title, also the page's meta description.
    embed : bool
        The page has an embed variant (``embed.html`` beside it): the full page shows its
        snippet; the embed links back to the full page.
    source_line : str
        The one line of sources the embed always shows (plain text).
    modelled : str or None
        The MODELLED label when the page shows modelled content, always visible.
    """

    folder: str
    title: str
    section: str
    sections: frozenset[str]
    summary: str = ""
    embed: bool = False
    source_line: str = ""
    modelled: str | None = None

    def __post_init__(self) -> None:
        if not _FOLDER.match(self.folder):
            raise ValueError(f"page folder {self.folder!r}: use lower-case ASCII, '/'-separated")
        if self.section not in {link.key for link in NAV}:
            raise ValueError(f"page section {self.section!r} is not one of the nav's keys")

    @property
    def root(self) -> str:
        """The relative path from this page to the site root: ``""``, ``"../"``, ..."""
        return "../" * (self.folder.count("/") + 1) if self.folder else ""

    @property
    def nav(self) -> tuple[tuple[NavLink, str, bool], ...]:
        """The nav entries of this build as (entry, relative URL, is current)."""
        return tuple(
            (link, self.root + link.target, link.key == self.section)
            for link in NAV
            if link.key in self.sections or link.key == "index"
        )

    @property
    def listener(self) -> str:
        """The parent-side resize listener of the embed snippet (:data:`RESIZE_SCRIPT`)."""
        return RESIZE_SCRIPT

    @property
    def embed_id(self) -> str:
        """The id the embed posts its height under (:func:`embed_id`)."""
        return embed_id(self.folder)


def embed_id(folder: str) -> str:
    """The id of a page's embed: ``"atlas"`` for the root, ``"atlas-sites-baotou"`` for
    ``sites/baotou``."""
    return "-".join(("atlas", *folder.split("/"))) if folder else "atlas"


def slug(name: str, taken: Iterable[str] = ()) -> str:
    """A folder name for ``name``: lower-case ASCII letters, digits and ``-``, at most
    :data:`SLUG_MAX_CHARS` characters (cut after a whole word when it can), deterministic, and
    unique among ``taken`` (``-2``, ``-3``, ... appended).

    Accents are dropped (``"Sète Mine"`` -> ``"sete-mine"``); a name with no ASCII letter or
    digit becomes ``"site"``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    if len(base) > SLUG_MAX_CHARS:  # cut at a word when one ends in the second half
        cut = base.rfind("-", 0, SLUG_MAX_CHARS + 1)
        base = base[: cut if cut > SLUG_MAX_CHARS // 2 else SLUG_MAX_CHARS].strip("-")
    base = base or "site"
    taken = set(taken)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def render_page(template_name: str, chrome: Chrome, /, **values: Any) -> str:
    """A page without a map: ``templates/<template_name>`` with ``chrome`` and ``values``."""
    return str(render(template_name, chrome=chrome, **values))


def render_map_page(
    atlas_map: folium.Map, template_name: str, chrome: Chrome, /, **values: Any
) -> str:
    """A page holding ``atlas_map``: ``templates/<template_name>`` rendered through an
    :class:`~.page.AtlasPage` (data never compiled as a template), deterministic."""
    page = AtlasPage(template_name, chrome, **values)
    page.add_child(atlas_map)
    return page.render_numbered()


def write_page(site_dir: Path, chrome: Chrome, html: str, *, embed: str | None = None) -> Path:
    """Write ``html`` as ``<site_dir>/<chrome.folder>/index.html`` and ``embed`` (when given)
    as ``embed.html`` beside it; return the page's path.

    Raises
    ------
    ValueError
        When ``chrome.embed`` and whether an embed is given disagree.
    """
    if chrome.embed != (embed is not None):
        raise ValueError(f"{chrome.folder or 'index'}: chrome.embed is {chrome.embed}")
    folder = Path(site_dir, *chrome.folder.split("/")) if chrome.folder else Path(site_dir)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PAGE).write_text(html, encoding="utf-8", newline="\n")
    if embed is not None:
        (folder / EMBED_PAGE).write_text(embed, encoding="utf-8", newline="\n")
    return folder / PAGE
