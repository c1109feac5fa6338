"""Provenance of the layers of a data root, from ``layers/SOURCES.md``.

The file (written by ``scripts/prepare_layers.py``) has one ``## <layer>, <layer> (...)``
section per file with its source and processing, a ``## Licences`` section whose bullets name
the layers they cover in parentheses, and the retrieval date in its header ("gathered on
**YYYY-MM-DD**"). A data root without the file, or a layer without a section, gets
:data:`UNDOCUMENTED` in place of each missing part: the provenance is never invented.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from atlas.load.layers import LAYERS
from atlas.load.root import find_root

__all__ = [
    "SOURCES_FILE",
    "UNDOCUMENTED",
    "LayerSources",
    "parse_layer_sources",
    "read_layer_sources",
]

SOURCES_FILE = "SOURCES.md"
"""The provenance file inside ``layers/``."""

UNDOCUMENTED = "not documented in layers/SOURCES.md"
"""What a missing part of the provenance reads as."""

_HEADING = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)
_RETRIEVED = re.compile(r"gathered on \*\*(\d{4}-\d{2}-\d{2})\*\*")
_BULLET = re.compile(r"^\* +(.*?)(?=^\* |\Z)", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class LayerSources:
    """Where one layer comes from, as ``layers/SOURCES.md`` says.

    Attributes
    ----------
    source_and_processing : str
        The layer's section of the file (Markdown), or :data:`UNDOCUMENTED`.
    licence : str
        The licence bullets that name the layer (Markdown), or :data:`UNDOCUMENTED`.
    retrieved : str
        The ISO date the source data were gathered, or :data:`UNDOCUMENTED`.
    """

    source_and_processing: str
    licence: str
    retrieved: str


def _sections(text: str) -> dict[str, str]:
    """Heading -> body of every ``##`` section."""
    heads = list(_HEADING.finditer(text))
    ends = [h.start() for h in heads[1:]] + [len(text)] * bool(heads)
    return {h.group(1): text[h.end() : end].strip() for h, end in zip(heads, ends, strict=True)}


def _names_in(heading: str) -> set[str]:
    """Layer names a section heading covers: the words before its parenthesis."""
    return {word for word in re.split(r"[,\s]+", heading.split("(", 1)[0]) if word}


def _licence(name: str, bullets: list[str]) -> str:
    """The licence bullets whose parenthesis names the layer (or, failing that, one of the
    words of its name such as ``rivers`` or ``pond``)."""

    def covered(words: set[str]) -> list[str]:
        found = []
        for bullet in bullets:
            scope = re.search(r"\(([^)]*)\)", bullet)
            text = "" if scope is None else scope.group(1)
            if any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text) for w in words):
                found.append(" ".join(bullet.split()))
        return found

    words = {part for part in name.split("_") if not re.fullmatch(r"\d+m", part)}
    return "\n".join(covered({name}) or covered(words)) or UNDOCUMENTED


def parse_layer_sources(text: str) -> Mapping[str, LayerSources]:
    """The provenance of every layer of :data:`~atlas.load.LAYERS` from the text of a
    ``SOURCES.md`` (see the module docstring)."""
    sections = _sections(text)
    licences = next((body for head, body in sections.items() if head.startswith("Licen")), "")
    bullets = [match.group(1) for match in _BULLET.finditer(licences)]
    retrieved = _RETRIEVED.search(text)
    by_layer = {}
    for name in sorted(LAYERS):
        body = next((b for head, b in sections.items() if name in _names_in(head)), None)
        by_layer[name] = LayerSources(
            source_and_processing=UNDOCUMENTED if body is None else body,
            licence=_licence(name, bullets),
            retrieved=UNDOCUMENTED if retrieved is None else retrieved.group(1),
        )
    return MappingProxyType(by_layer)


def read_layer_sources(root: str | os.PathLike[str]) -> Mapping[str, LayerSources]:
    """The provenance of every default layer of ``root`` (:func:`parse_layer_sources` of
    ``root/layers/SOURCES.md``; every part :data:`UNDOCUMENTED` when the file is missing)."""
    path = find_root(root) / "layers" / SOURCES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    return parse_layer_sources(text)
