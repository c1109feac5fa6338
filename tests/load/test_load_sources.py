"""Provenance of each layer from layers/SOURCES.md: its section, its licences, the date."""

from __future__ import annotations

from pathlib import Path

from atlas.load import LAYERS
from atlas.load.sources import UNDOCUMENTED, parse_layer_sources, read_layer_sources

REPO = Path(__file__).resolve().parents[2]


def test_every_shipped_layer_has_its_source_licence_and_date():
    sources = read_layer_sources(REPO)
    assert set(sources) == set(LAYERS)
    for name, known in sources.items():
        assert UNDOCUMENTED not in (known.source_and_processing, known.licence), name
        assert known.retrieved == "2026-11-23"
    assert "Natural Earth" in sources["rivers_10m"].licence
    assert "USGS" in sources["usgs_sites"].licence
    assert "Hand-compiled" not in sources["usgs_sites"].licence
    assert "Hand-compiled" in sources["tailings_pond"].licence
    assert "Baotou" in sources["tailings_pond"].source_and_processing


def test_a_root_without_sources_is_undocumented_never_invented(tmp_path):
    (tmp_path / "layers").mkdir()
    sources = read_layer_sources(tmp_path)
    assert {s.licence for s in sources.values()} == {UNDOCUMENTED}
    assert {s.retrieved for s in sources.values()} == {UNDOCUMENTED}


def test_a_section_covers_the_layers_its_heading_names():
    text = (
        "## towns, lakes_10m (`x.gpkg`)\n\n* made by hand\n\n## Licences\n\n* **A** (towns): free\n"
    )
    sources = parse_layer_sources(text)
    assert sources["lakes_10m"].source_and_processing == "* made by hand"
    assert sources["towns"].licence == "**A** (towns): free"
    assert sources["lakes_10m"].licence == UNDOCUMENTED
