"""Small scenario documents built in code, for the projection and output tests."""

from __future__ import annotations

from typing import Any


def strip_scenario(**changes: Any) -> dict[str, Any]:
    """A quasi 1-D case: a channel 1 km long and 3 cells wide (10 m cells), flow to the east,
    a fixed concentration of 100 mg/L held in the westernmost column, a receptor at x = 500 m."""
    document: dict[str, Any] = {
        "schema_version": 1,
        "name": "strip",
        "crs": "EPSG:32649",
        "start_year": 1965,
        "grid": {"bounds_m": [500_000, 4_500_000, 501_000, 4_500_030], "cell_size_m": 10.0},
        "aquifer": {
            "effective_porosity": 0.25,
            "thickness_m": 10.0,
            "longitudinal_dispersivity_m": 10.0,
            "transverse_dispersivity_m": 1.0,
            "hydraulic_conductivity_m_per_day": 4.0,
        },
        "flow": {"velocity_m_per_yr": 20.0, "direction_deg": 90.0},
        "source": [
            {
                "name": "strip",
                "geometry": "POLYGON ((500000 4500000, 500010 4500000, 500010 4500030, "
                "500000 4500030, 500000 4500000))",
                "concentration_mg_per_l": 100.0,
            }
        ],
        "receptor": [
            {
                "name": "line",
                "geometry": "LINESTRING (500505 4500000, 500505 4500030)",
                "thresholds_mg_per_l": [10.0, 50.0],
            }
        ],
        "output": {"times_yr": [5, 10, 20], "arrival_resolution_yr": 0.25},
    }
    for key, value in changes.items():
        document[key] = value
    return document
