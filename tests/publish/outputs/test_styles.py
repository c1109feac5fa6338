"""QML styles: raster ramps (concentration through the thresholds, probability 0-1 for the
ensembles to come) and vector styles that hold only escaped values."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from atlas.grid import Grid
from atlas.publish.outputs.export_layers import ExportLayer, ExportRaster, Provenance
from atlas.publish.outputs.styles import raster_qml, vector_qml

GRID = Grid.from_bounds((500_000, 4_500_000, 500_100, 4_500_100), 50.0, "EPSG:32649")
DATA = Provenance("made for the test", "none", "2026-01-01")


def _raster(style, span, stops=()):
    return ExportRaster(
        "r", GRID, np.zeros(GRID.shape), "mg/L", "q", "t", "d", DATA, style, span, stops
    )


def _items(qml):
    shader = ET.fromstring(qml).find("pipe/rasterrenderer/rastershader/colorrampshader")
    return [(float(i.get("value")), int(i.get("alpha"))) for i in shader.findall("item")]


def test_concentration_ramp_is_transparent_at_zero_and_marks_the_thresholds():
    items = _items(raster_qml(_raster("concentration", (0.0, 800.0), (25.0, 250.0, 5000.0))))
    assert [value for value, _ in items] == [0.0, 25.0, 250.0, 800.0]
    assert [alpha for _, alpha in items] == [0, 255, 255, 255]


def test_probability_ramp_spans_zero_to_one_whatever_the_values():
    items = _items(raster_qml(_raster("probability", (0.2, 0.7))))
    assert items[0] == (0.0, 0)
    assert items[-1][0] == 1.0


def test_a_flat_raster_still_gets_a_ramp():
    items = _items(raster_qml(_raster("head", (3.0, 3.0))))
    assert items[0][0] < items[-1][0]


def test_vector_styles_parse_and_hold_no_data_text():
    frame = gpd.GeoDataFrame(
        {"name": ["<b>&</b> '); DROP TABLE x; --"]}, geometry=[Point(0, 0)], crs=4326
    )
    for style in ("sites", "usgs_sites", "points", "receptors", "sources"):
        layer = ExportLayer("x", frame, "<title>", "d & e", DATA, style)
        qml = vector_qml(layer)
        assert "DROP TABLE" not in qml
        assert ET.fromstring(qml).find("renderer-v2/symbols/symbol") is not None
