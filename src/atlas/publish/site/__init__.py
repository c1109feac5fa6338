"""The static site: the map page (``index.html``), its local assets and each plume's files."""

from atlas.publish.site.map import build_map, check_site_folder, render_page, write_site

__all__ = ["build_map", "check_site_folder", "render_page", "write_site"]
