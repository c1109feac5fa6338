"""Quicklook PNGs: written with a result, listed in its summary, drawn from its numbers, the
same bytes every time."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
import shapely
from matplotlib.image import imread

from atlas.publish.charts import receptor_chart, receptor_series, svg_text
from atlas.publish.outputs import read_result, write_result
from atlas.publish.outputs.quicklook import (
    RECEPTOR_CHART,
    quicklook_names,
    read_surroundings,
    write_quicklooks,
)
from atlas.publish.ramp import concentration_ramp
from atlas.run import run_scenario
from tiny_roots import REPO


@pytest.fixture(scope="module")
def written(plume_case, tmp_path_factory):
    scenario, result = plume_case
    out = tmp_path_factory.mktemp("quicklook") / "out"
    write_result(result, out)
    return scenario, result, out


def test_one_map_per_output_time_and_the_receptor_chart_are_listed_and_written(written):
    scenario, _, out = written
    names = quicklook_names(scenario)
    assert names == [
        "quicklook_00_2yr.png",
        "quicklook_01_6yr.png",
        "quicklook_02_10yr.png",
        RECEPTOR_CHART,
    ]
    listed = json.loads((out / "summary.json").read_text(encoding="utf-8"))["files"]
    for name in names:
        assert name in listed
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_cache_trusts_a_folder_with_the_quicklooks(written):
    scenario, _, out = written
    assert read_result(out, scenario) is not None


def _colours(path) -> set[tuple[int, int, int]]:
    pixels = (imread(path)[..., :3] * 255).round().astype(int).reshape(-1, 3)
    return {tuple(pixel) for pixel in np.unique(pixels, axis=0)}


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_each_map_fills_the_classes_its_concentrations_reach(written):
    scenario, result, out = written
    ramp = concentration_ramp(scenario.thresholds_mg_per_l)
    for k, name in enumerate(quicklook_names(scenario)[:-1]):
        values = result.dataset["concentration"].isel(time_yr=k).values
        reached = set(ramp.classify(values[np.isfinite(values)]).tolist()) - {-1}
        assert reached, "the test case should put some cells in a class"
        colours = _colours(out / name)
        for index in reached:
            assert _rgb(ramp.colours[index]) in colours, (name, index)


def test_the_receptor_series_is_the_datasets_record(plume_case):
    _, result = plume_case
    series = receptor_series(result)
    record = result.dataset["receptor_concentration"]
    assert list(series.columns) == ["ditch"]
    np.testing.assert_array_equal(series.index, record["record_time_yr"].values)
    np.testing.assert_array_equal(series["ditch"], record.sel(receptor="ditch").values)


def test_a_receptor_the_plume_never_reaches_says_so_in_the_chart_legend(plume_case):
    scenario, _ = plume_case
    upstream = replace(
        scenario.receptors[0], name="far_well", geometry=shapely.Point(500_590, 4_500_010)
    )
    result = run_scenario(replace(scenario, receptors=(*scenario.receptors, upstream)))
    legend = receptor_chart(result).axes[0].get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels == ["ditch", "far well: below 0.01 mg/L throughout, no line"]


def test_labels_and_names_with_dollar_signs_are_drawn_as_written(plume_case, tmp_path):
    """Two dollar signs are matplotlib's mathematical notation: a label or a name holding them
    is drawn as written, and notation it cannot read does not stop the chart."""
    _, result = plume_case
    label = r"US$ 5 to US$ 10 \frac{"
    scenario = replace(
        result.scenario,
        name="price$ of $\\alpha",
        receptors=tuple(replace(r, label=label) for r in result.scenario.receptors),
    )
    result = replace(result, scenario=scenario)
    svg = svg_text(receptor_chart(result))
    assert f"{label}</text>" in svg
    assert "price$ of $\\alpha: MODELLED concentration" in svg
    written = write_quicklooks(result, _folder(tmp_path / "q"))
    assert written


def test_the_same_result_gives_the_same_bytes_with_the_site_layers(plume_case, tmp_path):
    _, result = plume_case
    surroundings = read_surroundings(REPO)
    first = write_quicklooks(result, _folder(tmp_path / "a"), surroundings)
    second = write_quicklooks(result, _folder(tmp_path / "b"), surroundings)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert b"Software" not in first[0].read_bytes()


def _folder(path):
    path.mkdir()
    return path


def test_a_flow_only_result_has_no_quicklook(plume_case):
    scenario, _ = plume_case
    from dataclasses import replace

    assert quicklook_names(replace(scenario, sources=(), initial=None)) == []
