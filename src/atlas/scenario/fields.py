"""Typed values out of nested TOML tables; every problem noted, none raised."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from typing import Any

from atlas.errors import Problem

__all__ = ["MISSING", "NON_NEGATIVE", "POSITIVE", "FieldReader", "Rule", "suggest"]

MISSING = object()
Rule = tuple[Callable[[float], bool], str]
POSITIVE: Rule = (lambda v: v > 0, "must be > 0")
NON_NEGATIVE: Rule = (lambda v: v >= 0, "is negative; expected a number >= 0")


def suggest(key: str, allowed: list[str]) -> str:
    """A fix for an unknown key: the closest known key, else the list of known keys."""
    match = difflib.get_close_matches(key, allowed, n=1)
    return f"did you mean {match[0]!r}?" if match else f"known keys here: {', '.join(allowed)}"


class FieldReader:
    """Reads typed values out of nested TOML tables, noting every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.parameter_keys: list[str] = []

    def note(self, where: str, message: str, fix: str = "") -> None:
        """Record one problem at key ``where``."""
        self.problems.append(Problem(where, message, fix))

    def keys(self, table: Mapping[str, Any], allowed: list[str], where: str) -> None:
        """Note every key of ``table`` not in ``allowed`` (typos), with the closest match."""
        for key in table:
            if key not in allowed:
                self.note(f"{where}.{key}" if where else key, "unknown key", suggest(key, allowed))

    def get(self, table: Mapping[str, Any], key: str, where: str, required: bool) -> Any:
        """The raw value, or MISSING (noted as a problem when ``required``)."""
        if key in table:
            return table[key]
        if required:
            self.note(where, "missing", "add this key")
        return MISSING

    def table(self, parent: Mapping[str, Any], key: str, where: str, *, required: bool = True):
        """A sub-table, or None (noted when missing and ``required``, or not a table)."""
        value = self.get(parent, key, where, required)
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.note(where, f"expected a table, found {value!r}", f"write it as [{where}]")
            return None
        return value

    def tables(self, parent: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
        """An array of tables (``[[key]]``), empty when absent."""
        value = parent.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.note(key, f"expected an array of tables, found {value!r}", f"write [[{key}]]")
            return []
        return value

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        where: str,
        *,
        default: Any = MISSING,
        rule: Rule | None = None,
        parameter: bool = True,
    ) -> Any:
        """A finite number obeying ``rule``, ``default`` when absent, None when bad.

        Every key read this way is recorded as a parameter (for provenance) unless
        ``parameter`` is False.
        """
        value = self.get(table, key, where, required=default is MISSING)
        if value is MISSING:
            return default
        if parameter:
            self.parameter_keys.append(where)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.note(where, f"expected a finite number, found {value!r}")
            return None
        if rule is not None and not rule[0](value):
            self.note(where, f"{value!r} {rule[1]}")
            return None
        return float(value)

    def text(self, table: Mapping[str, Any], key: str, where: str, *, default: Any = MISSING):
        """A non-empty string, ``default`` when absent, None when bad."""
        value = self.get(table, key, where, required=default is MISSING)
        if value is MISSING:
            return default
        if not isinstance(value, str) or not value.strip():
            self.note(where, f"expected a non-empty string, found {value!r}")
            return None
        return value

    def numbers(self, table: Mapping[str, Any], key: str, where: str, rule: Rule) -> Any:
        """A non-empty list of numbers each obeying ``rule``, None when bad."""
        value = self.get(table, key, where, required=True)
        if value is MISSING:
            return None
        self.parameter_keys.append(where)
        if not isinstance(value, list) or not value:
            self.note(where, f"expected a non-empty list of numbers, found {value!r}")
            return None
        bad = [v for v in value if isinstance(v, bool) or not isinstance(v, int | float)]
        if bad or not all(math.isfinite(v) and rule[0](v) for v in value):
            self.note(where, f"{value!r}: every entry {rule[1]}")
            return None
        return tuple(float(v) for v in value)
