"""The JavaScript, CSS and images a page needs, copied from installed packages into the site.

Nothing is linked from a CDN: Leaflet comes from the ``xstatic-leaflet`` package,
Leaflet.markercluster from ``xstatic-leaflet-markercluster``, and the atlas's own script,
style sheet and third-party notices from ``atlas/publish/site/static``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster

__all__ = [
    "ASSETS",
    "CLUSTER_SCRIPTS",
    "CLUSTER_STYLESHEETS",
    "MAP_SCRIPTS",
    "MAP_STYLESHEETS",
    "Asset",
    "copy_assets",
]


@dataclass(frozen=True)
class Asset:
    """One file of the site's ``assets/`` folder.

    Parameters
    ----------
    source : pathlib.Path
        The installed file.
    target : str
        Where it goes, relative to the site folder, with ``/`` separators.
    """

    source: Path
    target: str


_LEAFLET = Path(xs_leaflet.BASE_DIR)
_MARKERCLUSTER = Path(xs_markercluster.BASE_DIR)
_OWN = Path(str(files("atlas.publish.site") / "static"))


def _from(base: Path, names: tuple[str, ...], folder: str) -> tuple[Asset, ...]:
    return tuple(Asset(base / name, f"{folder}/{name}") for name in names)


ASSETS: tuple[Asset, ...] = (
    *_from(_LEAFLET, ("leaflet.js", "leaflet.css"), "assets/leaflet"),
    *_from(
        _LEAFLET / "images",
        (
            "layers.png",
            "layers-2x.png",
            "marker-icon.png",
            "marker-icon-2x.png",
            "marker-shadow.png",
        ),
        "assets/leaflet/images",
    ),
    *_from(
        _MARKERCLUSTER,
        ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"),
        "assets/markercluster",
    ),
    *_from(
        _OWN,
        (
            "atlas.js",
            "atlas.css",
            "site.js",
            "embed.js",
            "table.js",
            "plume.js",
            "THIRD_PARTY_NOTICES.txt",
        ),
        "assets",
    ),
)
"""Every file copied into a site, in a fixed order."""

Link = tuple[str, str]
"""A (name, site-relative URL) pair, as folium's ``default_js``/``default_css`` lists hold."""

MAP_SCRIPTS: tuple[Link, ...] = (
    ("leaflet", "assets/leaflet/leaflet.js"),
    ("atlas", "assets/atlas.js"),
)
"""Scripts of the map itself, replacing folium's CDN links (jQuery, Bootstrap, ... are unused)."""

MAP_STYLESHEETS: tuple[Link, ...] = (("leaflet_css", "assets/leaflet/leaflet.css"),)
"""Style sheets of the map itself (``assets/atlas.css`` is linked by every page, after them)."""

CLUSTER_SCRIPTS: tuple[Link, ...] = (
    ("markerclusterjs", "assets/markercluster/leaflet.markercluster.js"),
)
"""Scripts of the marker-cluster plugin."""

CLUSTER_STYLESHEETS: tuple[Link, ...] = (
    ("markerclustercss", "assets/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "assets/markercluster/MarkerCluster.Default.css"),
)
"""Style sheets of the marker-cluster plugin."""


def copy_assets(site_dir: Path) -> list[Path]:
    """Copy every asset into ``site_dir`` (byte for byte); return the written paths.

    Parameters
    ----------
    site_dir : pathlib.Path
        The site folder; ``assets/`` is created inside it.
    """
    written = []
    for asset in ASSETS:
        target = site_dir / asset.target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset.source, target)
        written.append(target)
    return written
