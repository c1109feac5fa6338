"""The scenarios of a data root, checked as a set: ``<root>/scenarios/*.toml``."""

from __future__ import annotations

import re
from pathlib import Path

from atlas.errors import Problem, ScenarioError
from atlas.scenario.parse import load_scenario
from atlas.scenario.schema import Scenario

__all__ = ["SCENARIOS_FOLDER", "load_scenarios"]

SCENARIOS_FOLDER = "scenarios"
"""The folder of a data root that holds its scenario files."""

_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def load_scenarios(root: Path) -> list[Scenario]:
    """Every ``<root>/scenarios/*.toml``, sorted by file name; none without ``scenarios/``.

    Raises
    ------
    ScenarioError
        When a scenario is invalid, or two share a name, or a name cannot be a folder name
        (it names ``plumes/<name>/`` in the site and ``.cache/plumes/<name>/``), or two are
        shown alike (:attr:`Scenario.display_title`: pages tell them apart by it).
    """
    paths = sorted((root / SCENARIOS_FOLDER).glob("*.toml"))
    scenarios = [load_scenario(path, root=root) for path in paths]
    names = [scenario.name for scenario in scenarios]
    problems = [
        Problem(
            f"{path.name}: name",
            f"the name {name!r} is also used by another scenario",
            "give each scenario its own name",
        )
        for path, name in zip(paths, names, strict=True)
        if names.count(name) > 1
    ] + [
        Problem(
            f"{path.name}: name",
            f"expected letters, digits, '_', '-' or '.' (it names a folder), found {name!r}",
            "rename the scenario",
        )
        for path, name in zip(paths, names, strict=True)
        if not _FOLDER_NAME.fullmatch(name)
    ]
    titles = [scenario.display_title for scenario in scenarios]
    problems += [
        Problem(
            f"{path.name}: title",
            f"pages would show it as {title!r}, as another scenario",
            "give each scenario a title of its own",
        )
        for path, title, name in zip(paths, titles, names, strict=True)
        if titles.count(title) > 1 and names.count(name) == 1
    ]
    if problems:
        raise ScenarioError(
            "scenario names must be unique folder names, and titles unique",
            path=root / SCENARIOS_FOLDER,
            problems=problems,
        )
    return scenarios
