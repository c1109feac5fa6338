"""The fingerprint of a scenario's inputs, by which a stored result is known to be current."""

from __future__ import annotations

import hashlib

from atlas import __version__
from atlas.scenario.schema import Scenario

__all__ = ["inputs_sha256"]


def inputs_sha256(scenario: Scenario) -> str:
    """SHA-256 of everything a run depends on, as 64 hexadecimal digits.

    Covers the parsed scenario (comments excluded), the bytes of every raster it reads, its
    resolved geometries (so a change in a referenced layer counts) and the atlas version. Equal
    hashes mean a stored result can be reused.
    """
    digest = hashlib.sha256()
    digest.update(f"atlas {__version__}\n".encode())
    digest.update(scenario.document_json.encode())
    for path in scenario.referenced_files:
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    digest.update(scenario.geometry_sha256().encode())
    return digest.hexdigest()
