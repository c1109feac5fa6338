"""The small layers of :mod:`site_layers`, and the site of the tiny data root built once."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_layers import make_layers

from atlas.load import Layers
from atlas.pipeline import build_site
from tiny_roots import write_root


@pytest.fixture
def layers() -> Layers:
    return make_layers()


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory) -> Path:
    """The tiny data root (:func:`tiny_roots.write_root`: the shipped layers and three tiny
    scenarios, two on one grid)."""
    return write_root(tmp_path_factory.mktemp("data") / "root")


@pytest.fixture(scope="session")
def built_site(tiny_root, tmp_path_factory) -> Path:
    """The whole site of :func:`tiny_root`, built once for the read-only tests."""
    return build_site(tiny_root, tmp_path_factory.mktemp("out") / "site").parent
