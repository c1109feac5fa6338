"""The static site: its pages (layout and how to write one: :mod:`.pages`), their local assets
and data files, the downloads and each plume's files."""

from atlas.publish.site.map import build_map, render_index
from atlas.publish.site.site_folder import check_site_folder, write_site

__all__ = ["build_map", "check_site_folder", "render_index", "write_site"]
