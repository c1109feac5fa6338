"""The fingerprint of a scenario's inputs, by which a stored result is known to be current."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from atlas import __version__
from atlas.scenario.schema import Scenario

__all__ = ["MODEL_MODULES", "inputs_sha256", "model_code_sha256"]

MODEL_MODULES = (
    "plume",
    "scenario",
    "grid.py",
    "run.py",
    "impact.py",
    "assumptions.py",
    "dataset.py",
)
"""The parts of the atlas package whose code decides a result (paths below ``atlas/``)."""


@cache
def model_code_sha256() -> str:
    """SHA-256 of the source of :data:`MODEL_MODULES`, so that a stored result is not reused
    once the model's code has changed, even within one version of the atlas."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for part in MODEL_MODULES:
        path = package / part
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(package).as_posix().encode() + b"\n")
            digest.update(file.read_bytes())
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
