"""publish/ writes what it is given: it never imports the model (plume, run, impact)."""

from __future__ import annotations

import ast
from pathlib import Path

import atlas.publish

FORBIDDEN = ("atlas.plume", "atlas.run", "atlas.impact")


def test_no_publish_module_imports_the_model():
    for path in Path(atlas.publish.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
