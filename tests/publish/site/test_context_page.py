"""The context page: a chart per group of context facts, drawn from the facts themselves,
with alt text, sources and the data table; escaped; the same bytes every build."""

from __future__ import annotations

import html as html_text
import re

import pandas as pd
import pytest

from atlas.load import read_layer
from atlas.publish.site.context_page import context_figures, write_context_page
from tiny_roots import REPO

SECTIONS = frozenset({"index", "context"})


@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    return read_layer("context_facts", REPO)


def test_each_topic_gets_a_chart_whose_table_holds_its_rows(facts, tmp_path):
    figures = {figure.file: figure for figure in context_figures(facts, tmp_path)}
    assert sorted(figures) == [
        "export_controls.svg",
        "shares.svg",
        "trade_falls.svg",
        "trade_tonnes.svg",
    ]
    controls = facts[facts["topic"] == "export control"]
    table = figures["export_controls.svg"].rows
    assert [row[0] for row in table] == list(controls["statement"])
    assert [row[4] for row in table] == list(controls["source"])
    shares = figures["shares.svg"]
    assert "China's share of world rare-earth processing: 90 percent" in shares.alt
    assert any("New Zealand Herald" in source for source in shares.sources)
    for figure in figures.values():
        svg = (tmp_path / figure.file).read_text(encoding="utf-8")
        assert svg.startswith("<?xml")
        assert "<dc:date>" not in svg


def test_every_drawn_number_is_in_the_svg_as_text(facts, tmp_path):
    figures = {figure.file: figure for figure in context_figures(facts, tmp_path)}
    svg = (tmp_path / "trade_tonnes.svg").read_text(encoding="utf-8")
    for row in figures["trade_tonnes.svg"].rows:
        assert f"{float(row[1]):,.0f} {row[2]}" in svg


def test_a_value_that_is_not_a_number_is_listed_but_not_drawn(facts, tmp_path):
    edited = facts.copy()
    edited.loc[edited["fact_id"] == "share_mining", "value"] = "60-70"
    figures = {figure.file: figure for figure in context_figures(edited, tmp_path)}
    assert figures["shares.svg"].rows[0][:2] == (
        "China's share of world rare-earth mining",
        "60-70",
    )
    svg = (tmp_path / "shares.svg").read_text(encoding="utf-8")
    assert "world rare-earth mining" not in svg


def test_statements_with_dollar_signs_are_drawn_as_written(facts, tmp_path):
    """Two dollar signs would be matplotlib's mathematical notation; a statement is text."""
    edited = facts.copy()
    statement = "Prices rose from US$ 5 to US$ 10"
    edited.loc[edited["fact_id"] == "control_antimony", "statement"] = statement
    edited.loc[edited["fact_id"] == "share_mining", "statement"] = r"From $\frac{ to $"
    context_figures(edited, tmp_path)
    assert statement in (tmp_path / "export_controls.svg").read_text(encoding="utf-8")
    assert r"From $\frac{ to $" in (tmp_path / "shares.svg").read_text(encoding="utf-8")


def test_the_same_facts_give_the_same_bytes(facts, tmp_path):
    context_figures(facts, tmp_path / "a")
    context_figures(facts, tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_the_page_escapes_a_statement_and_shows_each_chart_with_its_data(facts, tmp_path):
    edited = facts.copy()
    edited.loc[edited["fact_id"] == "control_antimony", "statement"] = "<script>x</script> & co"
    page = write_context_page(tmp_path, edited, sections=SECTIONS).read_text(encoding="utf-8")
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in page
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', page)
    assert [src for src, _ in images] == [
        "shares.svg",
        "trade_tonnes.svg",
        "trade_falls.svg",
        "export_controls.svg",
    ]
    assert all(len(html_text.unescape(alt)) > 40 for _, alt in images)
    assert page.count('<details class="chart-data">') == 4
    assert 'href="../index.html"' in page  # the nav leads back to the index


def test_a_percent_axis_stops_at_100(facts, tmp_path):
    context_figures(facts, tmp_path)
    ticks = re.findall(r">\s*(\d+)\s*<", (tmp_path / "shares.svg").read_text(encoding="utf-8"))
    assert "100" in ticks
    assert max(int(t) for t in ticks if len(t) <= 3) == 100
