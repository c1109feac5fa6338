"""The scenario page's overlay images: classified like the quicklooks, placed where the grid
lies in the map's Web Mercator, labelled MODELLED, the same bytes every time."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread
from PIL import Image
from pyproj import Transformer

from atlas.publish.ramp import concentration_ramp
from atlas.publish.site.plume_images import WEB_MERCATOR, frame_label, write_plume_images
from atlas.result import MODELLED_LABEL


@pytest.fixture(scope="module")
def images(plume_case, tmp_path_factory):
    _, result = plume_case
    folder = tmp_path_factory.mktemp("images")
    return result, folder, write_plume_images(result, folder)


def test_one_image_per_output_time_with_its_label(images):
    result, folder, frames = images
    assert [f.image for f in frames.frames] == ["plume_00.png", "plume_01.png", "plume_02.png"]
    assert [f.time_yr for f in frames.frames] == list(result.scenario.output_times_yr)
    for frame in frames.frames:
        with Image.open(folder / frame.image) as image:
            assert image.mode == "RGBA"
            assert image.text["Description"] == MODELLED_LABEL
            assert "Software" not in image.text


def test_labels_are_calendar_years_or_years_after_t0():
    assert frame_label(1965, 334.151) == "2299"
    assert frame_label(None, 2.5) == "2.5 yr"


def test_the_grid_corners_lie_inside_the_bounds_within_a_cell(images):
    result, _, frames = images
    grid = result.scenario.grid
    to_degrees = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = grid.bounds_m
    lons, lats = to_degrees.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    (south, west), (north, east) = frames.bounds
    cell_deg = grid.cell_size_m / 111_000  # a cell, in degrees (roughly)
    tolerance = 0.1 * cell_deg  # the warp rounds the image to whole pixels
    assert min(lats) >= south - tolerance
    assert max(lats) <= north + tolerance
    assert min(lons) >= west - tolerance
    assert max(lons) <= east + tolerance
    assert south > min(lats) - 2 * cell_deg
    assert east < max(lons) + 2 * cell_deg


def test_the_pixel_over_the_highest_cell_has_its_class_colour(images):
    result, folder, frames = images
    grid = result.scenario.grid
    ramp = concentration_ramp(result.scenario.thresholds_mg_per_l)
    k = len(frames.frames) - 1
    values = result.dataset["concentration"].isel(time_yr=k).values  # north-up
    row, col = np.unravel_index(np.nanargmax(values), values.shape)
    x = grid.x_min_m + (col + 0.5) * grid.cell_size_m
    y = grid.y_max_m - (row + 0.5) * grid.cell_size_m
    to_mercator = Transformer.from_crs(grid.crs, WEB_MERCATOR, always_xy=True)
    mx, my = to_mercator.transform(x, y)
    (south, west), (north, east) = frames.bounds
    corner = Transformer.from_crs("EPSG:4326", WEB_MERCATOR, always_xy=True)
    (mx0, mx1), (my0, my1) = corner.transform([west, east], [south, north])
    pixels = (imread(folder / frames.frames[k].image) * 255).round().astype(int)
    height, width = pixels.shape[:2]
    i = int((my1 - my) / (my1 - my0) * height)
    j = int((mx - mx0) / (mx1 - mx0) * width)
    expected = ramp.rgba(np.array([values[row, col]]))[0]
    assert tuple(pixels[i, j]) == tuple(int(v) for v in expected)


def test_the_same_result_gives_the_same_bytes(plume_case, tmp_path):
    _, result = plume_case
    first = write_plume_images(result, tmp_path / "a")
    write_plume_images(result, tmp_path / "b")
    for frame in first.frames:
        assert (tmp_path / "a" / frame.image).read_bytes() == (
            tmp_path / "b" / frame.image
        ).read_bytes()
