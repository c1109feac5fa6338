"""The small layers of :mod:`site_layers` as a fixture."""

from __future__ import annotations

import geopandas as gpd
import pytest
from site_layers import make_layers


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    return make_layers()
