"""The small layers of :mod:`site_layers` (the tiny root's built site is in the top
``conftest.py``, shared with the pipeline's tests)."""

from __future__ import annotations

import pytest
from site_layers import make_layers

from atlas.load import Layers


@pytest.fixture
def layers() -> Layers:
    return make_layers()
