"""Publishing: the static map page (``index.html`` + ``assets/``), offline by default."""

from atlas.publish.site import build_map, render_page, write_site

__all__ = ["build_map", "render_page", "write_site"]
