"""Scenarios with an [uncertainty] section, built in code, for the ensemble tests."""

from __future__ import annotations

import copy
from typing import Any

from atlas.scenario import Scenario, load_scenario
from plume_cases import strip_scenario


def strip_ensemble(uncertainty: dict[str, Any], **changes: Any) -> Scenario:
    """The strip scenario (:func:`plume_cases.strip_scenario`) with an [uncertainty] section."""
    document = strip_scenario(**changes)
    document["uncertainty"] = copy.deepcopy(uncertainty)
    return load_scenario(document)
