"""An ensemble on its scenario's page: the chart of the probability of arrival, the P5-P95
range in the sentence and the ensemble's assumptions."""

from __future__ import annotations

import html as html_text
import re

import pytest

from atlas.ensemble import run_ensemble
from atlas.load import load_layers
from atlas.publish.site import write_site
from atlas.publish.site.plume_sentence import result_sentence
from atlas.run import run_scenario
from atlas.scenario import load_scenario
from ensemble_cases import strip_ensemble
from plume_cases import strip_scenario
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


LINE = "LINESTRING (500505 4500000, 500505 4500030)"  # 500 m downstream of the held column
FRONT = {"name": "front", "geometry": LINE, "time_yr": 15.0, "min_concentration_mg_per_l": 10.0}
PRIORS = {"realizations": 40, "seed": 3, "velocity_m_per_yr": {"uniform": [20, 40]}}
CLAIM = {"name": "slow", "parameter": "velocity_m_per_yr", "range": [20, 25]}


def test_the_verdict_of_an_observed_ensemble_shows_on_its_page_and_its_neighbours(client, tmp_path):
    observed = strip_ensemble(
        PRIORS | {"claim": [CLAIM]}, name="strip_observed", observation=[FRONT]
    )
    ensemble = run_ensemble(observed, client=client, analytic=True)
    assert ensemble.constraint is not None
    plain = load_scenario(strip_scenario(name="strip_plain"))
    site = write_site(
        tmp_path / "site",
        load_layers(REPO),
        results=[run_scenario(plain), run_scenario(observed)],
        ensembles={observed.name: ensemble},
    ).parent
    verdicts = [ensemble.constraint.sentence(), ensemble.constraint.claims[0].sentence]
    for slug in ("strip-observed", "strip-plain"):
        page = html_text.unescape((site / "scenarios" / slug / "index.html").read_text("utf-8"))
        text = re.sub(r"\s+", " ", page)
        for verdict in verdicts:
            assert verdict in text, (slug, verdict)
    plain_page = (site / "scenarios" / "strip-plain" / "index.html").read_text("utf-8")
    assert 'href="../strip-observed/index.html"' in plain_page
