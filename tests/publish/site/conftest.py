"""The small layers of :mod:`site_layers` as a fixture."""

from __future__ import annotations

import pytest
from site_layers import make_layers

from atlas.load import Layers


@pytest.fixture
def layers() -> Layers:
    return make_layers()
