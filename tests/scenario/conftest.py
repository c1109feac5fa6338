"""Fixtures for the scenario tests (documents and rasters are built in scenario_documents.py)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from scenario_documents import BASE

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh, valid scenario document (mutate it freely)."""
    return copy.deepcopy(BASE)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository, which is also the default data root."""
    return REPO_ROOT
