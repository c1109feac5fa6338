"""Near the sites the 1:10m rivers and lakes take the place of the 1:50m ones: never both."""

from __future__ import annotations

import folium
import shapely
from shapely.geometry import shape
from site_layers import make_layers

from atlas.publish.site.basemap import (
    DETAIL_WINDOW_DEG,
    basemap_data,
    detail_windows,
    hydrography_near,
)
from atlas.publish.site.features import located


def _drawn(group: folium.FeatureGroup, class_name: str) -> shapely.Geometry:
    """The union of the geometries a group draws with the CSS class ``class_name``."""
    layers = [
        child
        for child in group._children.values()
        if isinstance(child, folium.GeoJson) and child.options["style"]["className"] == class_name
    ]
    (layer,) = layers
    return _union(layer.data)


def _union(collection: dict) -> shapely.Geometry:
    return shapely.union_all([shape(f["geometry"]) for f in collection["features"]])


def test_windows_are_boxes_around_every_located_site():
    layers = make_layers()
    windows = detail_windows(layers.sites)
    for point in located(layers.sites).geometry:
        assert windows.contains(point)
        assert windows.contains(point.buffer(0.99 * DETAIL_WINDOW_DEG, cap_style="square"))
    assert detail_windows(layers.sites.iloc[0:0]) is None


def test_one_river_is_drawn_at_one_scale_in_each_place():
    layers = make_layers()
    windows = detail_windows(layers.sites)
    coarse = basemap_data(layers.countries, layers.lakes_50m, layers.rivers_50m, detail=windows)
    fine = hydrography_near(layers.rivers_10m, layers.lakes_10m, windows)
    for kind in ("river", "lake"):
        outside = _union(coarse[kind])
        inside = _drawn(fine, f"atlas-{kind}-detail")
        # 1e-2 degrees: the basemap's coordinates are rounded to 2 decimals
        assert outside.intersection(windows.buffer(-1e-2)).is_empty, kind
        assert inside.difference(windows.buffer(1e-3)).is_empty, kind
        assert not inside.is_empty, kind  # the test river and lake cross a window's edge
        assert not outside.is_empty, kind


def test_without_windows_the_basemap_keeps_every_river():
    layers = make_layers()
    basemap = basemap_data(layers.countries, layers.lakes_50m, layers.rivers_50m)
    drawn = _union(basemap["river"])
    assert drawn.length > 0.9 * layers.rivers_50m.geometry.iloc[0].length
