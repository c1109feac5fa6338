"""The fingerprint of a scenario's inputs, by which a stored result is known to be current."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from atlas import __version__
from atlas.scenario.schema import Scenario

__all__ = ["NOT_MODEL_CODE", "inputs_sha256", "model_code_sha256"]

NOT_MODEL_CODE = ("publish/site/", "cli/", "__main__.py", "pipeline.py")
"""The parts of the atlas package (paths below ``atlas/``) whose code does not shape a stored
result: the pages, which are drawn anew at every build, and the command line."""


@cache
def model_code_sha256() -> str:
    """SHA-256 of the atlas's code but :data:`NOT_MODEL_CODE`: the model, the reader of its
    inputs and the writer and reader of its stored results. A stored result is not reused once
    any of it has changed, even within one version of the atlas."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        name = file.relative_to(package).as_posix()
        if not name.startswith(NOT_MODEL_CODE):
            digest.update(name.encode() + b"\n" + file.read_bytes())
    return digest.hexdigest()


def inputs_sha256(scenario: Scenario) -> str:
    """SHA-256 of everything a run depends on, as 64 hexadecimal digits.

    Covers the parsed scenario (comments excluded), the bytes of every raster it reads, its
    resolved geometries (so a change in a referenced layer counts), the atlas version and the
    model's code (:func:`model_code_sha256`). Equal hashes mean a stored result can be reused.
    """
    digest = hashlib.sha256()
    digest.update(f"atlas {__version__}\n{model_code_sha256()}\n".encode())
    digest.update(scenario.document_json.encode())
    for path in scenario.referenced_files:
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    digest.update(scenario.geometry_sha256().encode())
    return digest.hexdigest()
