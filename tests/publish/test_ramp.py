"""The concentration ramp: classes bounded by the thresholds, transparent below them."""

from __future__ import annotations

import numpy as np

from atlas.publish.ramp import OVERLAY_ALPHA, concentration_ramp


def test_class_edges_are_a_tenth_of_the_lowest_threshold_then_every_threshold():
    ramp = concentration_ramp([250.0, 25.0, 25.0])
    assert ramp.edges_mg_per_l == (2.5, 25.0, 250.0)
    assert ramp.labels() == ("2.5-25 mg/L", "25-250 mg/L", "≥ 250 mg/L")
    assert len(set(ramp.colours)) == 3


def test_a_value_at_a_threshold_falls_in_that_thresholds_class_as_its_isochrone_does():
    ramp = concentration_ramp([25.0, 250.0])
    values = np.array([np.nan, 0.0, 2.4999, 2.5, 24.9, 25.0, 249.0, 250.0, 1e6])
    assert ramp.classify(values).tolist() == [-1, -1, -1, 0, 0, 1, 1, 2, 2]
    assert ramp.colour_of(25.0) == ramp.colours[1]
    assert ramp.colour_of(250.0) == ramp.colours[2]


def test_rgba_is_transparent_below_the_lowest_class_and_coloured_above():
    ramp = concentration_ramp([10.0])
    image = ramp.rgba(np.array([[0.5, 5.0], [50.0, np.nan]]))
    assert image.shape == (2, 2, 4)
    assert image.dtype == np.uint8
    assert image[0, 0, 3] == 0
    assert image[1, 1, 3] == 0
    assert image[0, 1, 3] == OVERLAY_ALPHA == image[1, 0, 3]
    high = ramp.colours[1]
    assert tuple(image[1, 0, :3]) == tuple(int(high[i : i + 2], 16) for i in (1, 3, 5))


def test_darker_colours_stand_for_higher_concentrations():
    ramp = concentration_ramp([1.0, 10.0, 100.0])

    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lightness = [luminance(colour) for colour in ramp.colours]
    assert lightness == sorted(lightness, reverse=True)
