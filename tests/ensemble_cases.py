"""Scenarios with an [uncertainty] section, built in code, for the ensemble tests."""

from __future__ import annotations

import copy
import json
from typing import Any

from atlas.scenario import Scenario, load_scenario
from plume_cases import strip_scenario


def strip_ensemble(uncertainty: dict[str, Any], **changes: Any) -> Scenario:
    """The strip scenario (:func:`plume_cases.strip_scenario`) with an [uncertainty] section."""
    document = strip_scenario(**changes)
    document["uncertainty"] = copy.deepcopy(uncertainty)
    return load_scenario(document)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(document: dict[str, Any]) -> str:
    """``document`` as TOML text, one ``key = value`` line per top-level key (inline tables)."""
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in document.items())
