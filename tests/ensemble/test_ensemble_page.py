"""An ensemble on its scenario's page: the chart of the probability of arrival, the P5-P95
range in the sentence and the ensemble's assumptions."""

from __future__ import annotations

import html as html_text
import re

import pytest

from atlas.load import load_layers
from atlas.publish.site import write_site
from atlas.publish.site.plume_sentence import result_sentence
from atlas.run import run_scenario
from tiny_roots import REPO

pytestmark = pytest.mark.slow


def test_the_scenario_page_shows_its_ensemble(velocity_ensemble, tmp_path):
    scenario, ensemble = velocity_ensemble
    result = run_scenario(scenario)
    site = write_site(
        tmp_path / "site",
        load_layers(REPO),
        results=[result],
        ensembles={scenario.name: ensemble},
    ).parent
    folder = site / "scenarios" / scenario.name
    page = html_text.unescape((folder / "index.html").read_text(encoding="utf-8"))
    sentence = result_sentence(result, ensemble)
    assert "(P5-P95)" in sentence
    assert sentence in re.sub(r"\s+", " ", page)
    assert 'src="arrival_probability.svg"' in page
    assert (folder / "arrival_probability.svg").is_file()
    for line in ensemble.assumptions:
        assert line in page
    table = page.split("Modelled probability of arrival (ensemble)", 1)[1].split("</table>", 1)[0]
    shares = [int(v) for v in re.findall(r"<td>(\d+)%</td>", table)]
    assert shares, "the data table gives the probabilities in percent"
    assert all(0 <= share <= 100 for share in shares)
