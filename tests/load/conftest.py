"""Fixtures for the loader tests (helpers that build files are in layerfiles.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository, which is also the default data root (it holds layers/)."""
    return REPO_ROOT
