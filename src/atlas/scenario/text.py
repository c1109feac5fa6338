"""A scenario file's bytes -> its TOML document, or one clear :class:`ScenarioError`.

The file must be UTF-8; a UTF-8 byte-order mark (what some Windows editors write) is accepted.
A file in another encoding is refused with that encoding named when it can be recognised (a
UTF-16 or UTF-32 byte-order mark, or the zero bytes of BOM-less UTF-16 or UTF-32), and the fix
"save it as UTF-8". Arrays and tables nested deeper than :data:`MAX_DEPTH` are refused: no scenario
needs them, and they would exhaust Python's recursion limit downstream.
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.errors import Problem, ScenarioError
from atlas.scenario.fields import key_path, one_line, shown

__all__ = ["MAX_DEPTH", "check_structure", "decode", "read_document"]

MAX_DEPTH = 16
"""The deepest nesting of arrays and tables a scenario may have (the deepest real one is 4)."""

_SAVE_AS_UTF8 = "save it as UTF-8 (in most editors: Save As, encoding UTF-8)"

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


def decode(data: bytes) -> str:
    """The text of a scenario file: UTF-8, with or without a byte-order mark.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    str
        The text, without the byte-order mark.

    Raises
    ------
    ScenarioError
        When the bytes are not UTF-8; the message names the encoding when it is recognised.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise ScenarioError(f"the file is {name} text, not UTF-8; {_SAVE_AS_UTF8}")
    guess = _bomless_wide(data) if b"\x00" in data[:4096] else None
    if guess:  # mostly-ASCII UTF-16 or UTF-32 is valid UTF-8 full of NUL characters
        raise ScenarioError(
            f"the file looks like {guess} text without a byte-order mark, not UTF-8; "
            f"{_SAVE_AS_UTF8}"
        )
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line} cannot "
            f"be decoded; perhaps a legacy encoding such as Latin-1 or GBK); {_SAVE_AS_UTF8}"
        ) from None


def _bomless_wide(data: bytes) -> str | None:
    """The name of UTF-16 or UTF-32 (with its byte order) when the zero bytes of the start of
    ``data`` fall where those of mostly-ASCII text in it would; else None."""
    sample = data[:4096]
    sample = sample[: len(sample) - len(sample) % 4]
    if len(sample) < 8:
        return None
    quarter = [sample[i::4].count(0) / (len(sample) // 4) for i in range(4)]
    wide = {
        "UTF-32 (little-endian)": ([1, 2, 3], [0]),
        "UTF-32 (big-endian)": ([0, 1, 2], [3]),
        "UTF-16 (little-endian)": ([1, 3], [0, 2]),
        "UTF-16 (big-endian)": ([0, 2], [1, 3]),
    }
    for name, (zero, text) in wide.items():
        if all(quarter[i] > 0.8 for i in zero) and all(quarter[i] < 0.2 for i in text):
            return name
    return None


def check_structure(document: Mapping[str, Any]) -> list[Problem]:
    """One problem for every top-level key whose value nests arrays or tables more than
    :data:`MAX_DEPTH` deep or holds a key that is not text (possible in a document given as
    a Python mapping, never in TOML); checked without recursion, so any depth is safe."""
    problems = []
    for key, value in document.items():
        where = key_path("", key)
        stack: list[tuple[Any, int]] = [(key, 0), (value, 1)]
        while stack:
            item, depth = stack.pop()
            if depth > MAX_DEPTH:
                problems.append(
                    Problem(
                        where,
                        f"arrays or tables nested more than {MAX_DEPTH} deep",
                        "no scenario value needs more than a few levels; check the brackets",
                    )
                )
                break
            if isinstance(item, Mapping):
                strange = [k for k in item if not isinstance(k, str)]
                if strange:
                    problems.append(
                        Problem(where, f"holds a key that is not text: {shown(strange[0])}")
                    )
                    break
                stack.extend((v, depth + 1) for v in item.values())
            elif isinstance(item, list | tuple):
                stack.extend((v, depth + 1) for v in item)
            elif depth == 0 and not isinstance(item, str):
                problems.append(Problem(where, "is a key that is not text"))
                break
    return problems


def read_document(path: Path) -> dict[str, Any]:
    """The TOML document of a scenario file.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    dict
        The parsed document.

    Raises
    ------
    ScenarioError
        With ``path``, when the file cannot be read, is not UTF-8, is not valid TOML, or
        nests arrays too deeply.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError("scenario file not found", path=path) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file ({exc.strerror or exc})", path=path) from None
    except ValueError as exc:  # a path the system cannot look up (a NUL character)
        raise ScenarioError(f"cannot read the file ({exc})", path=shown(str(path))) from None
    try:
        text = decode(data)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, path=path) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {one_line(str(exc))}", path=path) from None
    except RecursionError:
        raise ScenarioError(
            f"arrays or inline tables nested far more than {MAX_DEPTH} deep, too deep to read; "
            "check the brackets",
            path=path,
        ) from None
    return document
