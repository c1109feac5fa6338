"""Typed values out of nested TOML tables; every problem noted, none raised."""

from __future__ import annotations

import difflib
import math
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

from atlas.errors import Problem

__all__ = [
    "MAX_LABEL_CHARS",
    "MISSING",
    "NON_NEGATIVE",
    "POSITIVE",
    "SUGGESTED",
    "FieldReader",
    "Rule",
    "is_number",
    "key_path",
    "one_line",
    "shown",
    "suggest",
]

MISSING = object()
"""What :meth:`FieldReader.get` returns for an absent key; never returned by the typed readers
(:meth:`FieldReader.number`, :meth:`FieldReader.text`), which give None for a missing
required key."""

Rule = tuple[Callable[[float], bool], str]
POSITIVE: Rule = (lambda v: v > 0, "must be > 0")
NON_NEGATIVE: Rule = (lambda v: v >= 0, "is negative; expected a number >= 0")

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlong = 40
_REPR.maxlist = _REPR.maxtuple = 8
_REPR.maxdict = 6


def shown(value: Any) -> str:
    """``repr(value)`` on one line and bounded in length and depth, for messages."""
    return one_line(_REPR.repr(value))


def one_line(text: str) -> str:
    """``text`` with its line breaks (those of :meth:`str.splitlines` too) turned into "; "."""
    lines = [line.strip() for line in text.splitlines()]
    return "; ".join(line.removeprefix("- ") for line in lines if line)


def key_path(parent: str, key: Any) -> str:
    """The dotted path of ``key`` (a key or a name) under ``parent``, on one line: a key that
    is blank, has spaces around it, is longer than 80 characters or holds a line break or
    another unprintable character is quoted (bounded, escaped); any other is used as is, so
    that provenance keys such as ``"source.pond A.geometry"`` keep matching."""
    plain = isinstance(key, str) and 0 < len(key) <= 80 and key.isprintable() and key.strip() == key
    part = key if plain else shown(key)
    return f"{parent}.{part}" if parent else part


def is_number(value: Any) -> bool:
    """True for an int or float (not a bool) that is finite as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


MAX_LABEL_CHARS = 80
"""Longest ``label`` (characters) a named item may have: a legend's or a heading's line."""

SUGGESTED = 12
"""Most known keys (or values) a suggestion lists when none is close."""


def suggest(
    key: str,
    allowed: list[str],
    *,
    what: str = "keys",
    spelled: Mapping[str, str] | None = None,
) -> str:
    """A fix for an unknown key (or value): the closest known one, else the known ones (the
    first :data:`SUGGESTED` of them, and how many there are). ``spelled`` gives how the fix
    writes each known text (default: a key quoted when suggested, bare when listed)."""
    match = difflib.get_close_matches(key, allowed, n=1)
    if match:
        return f"did you mean {spelled[match[0]] if spelled else repr(match[0])}?"
    listed = ", ".join(spelled[a] if spelled else a for a in allowed[:SUGGESTED])
    more = f", ... ({len(allowed)} in all)" if len(allowed) > SUGGESTED else ""
    return f"known {what} here: {listed}{more}"


class FieldReader:
    """Reads typed values out of nested TOML tables, noting every problem instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.parameter_keys: list[str] = []

    def note(self, where: str, message: str, fix: str = "") -> None:
        """Record one problem at key ``where`` (every part kept on one line)."""
        self.problems.append(Problem(one_line(where), one_line(message), one_line(fix)))

    def unique(self, items: list[Any], kind: str) -> None:
        """Note every ``name`` used by more than one of ``items`` (sources, receptors...), and
        every display name (:attr:`atlas.scenario.Named.display_name`) shown for more than one
        name: pages and charts tell the items apart by it."""
        names = [item.name for item in items]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.note(
                key_path(kind, name),
                f"the name {shown(name)} is used more than once",
                "names must be unique",
            )
        owners: dict[str, set[str]] = {}
        for item in items:
            owners.setdefault(item.display_name, set()).add(item.name)
        for display, named in sorted(owners.items()):
            first, *others = sorted(named)
            for other in others:
                self.note(
                    f"{key_path(kind, other)}.label",
                    f"shown as {shown(display)}, as {shown(first)} is: pages and charts could "
                    "not tell them apart",
                    "give each a label of its own",
                )

    def keys(self, table: Mapping[str, Any], allowed: list[str], where: str) -> None:
        """Note every key of ``table`` not in ``allowed`` (typos), with the closest match."""
        for key in table:
            if key not in allowed:
                self.note(key_path(where, key), "unknown key", suggest(key, allowed))

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
            self.note(where, f"expected a table, found {shown(value)}", f"write it as [{where}]")
            return None
        return value

    def tables(self, parent: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        """An array of tables (``[[where]]``), empty when absent or bad."""
        value = parent.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.note(
                where, f"expected an array of tables, found {shown(value)}", f"write [[{where}]]"
            )
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
        """A finite number obeying ``rule``; ``default`` when absent; None when bad, or when
        absent and required (no ``default``: noted as missing).

        Every key read this way is recorded as a parameter (for provenance) unless
        ``parameter`` is False.
        """
        value = self.get(table, key, where, required=default is MISSING)
        if value is MISSING:
            return None if default is MISSING else default
        if parameter:
            self.parameter_keys.append(where)
        if not is_number(value):
            self.note(where, f"expected a finite number, found {shown(value)}")
            return None
        if rule is not None and not rule[0](value):
            self.note(where, f"{shown(value)} {rule[1]}")
            return None
        return float(value)

    def text(self, table: Mapping[str, Any], key: str, where: str, *, default: Any = MISSING):
        """A non-empty string; ``default`` when absent; None when bad, or when absent and
        required (no ``default``: noted as missing)."""
        value = self.get(table, key, where, required=default is MISSING)
        if value is MISSING:
            return None if default is MISSING else default
        if not isinstance(value, str) or not value.strip():
            self.note(where, f"expected a non-empty string, found {shown(value)}")
            return None
        return value

    def label(self, table: Mapping[str, Any], where: str, name: str = "label") -> str:
        """The optional ``label`` of a named item (how pages and charts name it), or another
        such key ``name`` (a scenario's ``title``): one line of at most
        :data:`MAX_LABEL_CHARS` characters; "" when absent or bad (bad is noted)."""
        key = key_path(where, name)
        value = self.text(table, name, key, default="")
        if value is None:
            return ""
        value = value.strip()
        unprintable = next((c for c in value if not c.isprintable()), None)
        if unprintable is not None:
            self.note(
                key,
                f"holds {unprintable!r}, which a page cannot show on one line",
                "write it as one line of plain text (spaces, not tabs)",
            )
            return ""
        if len(value) > MAX_LABEL_CHARS:
            self.note(
                key,
                f"has {len(value)} characters, more than {MAX_LABEL_CHARS}",
                "give a short name, as a legend or a heading would show it ('Yellow River')",
            )
            return ""
        return value

    def numbers(self, table: Mapping[str, Any], key: str, where: str, rule: Rule) -> Any:
        """A non-empty list of numbers each obeying ``rule``, None when bad."""
        value = self.get(table, key, where, required=True)
        if value is MISSING:
            return None
        self.parameter_keys.append(where)
        if not isinstance(value, list) or not value:
            self.note(where, f"expected a non-empty list of numbers, found {shown(value)}")
            return None
        if not all(is_number(v) for v in value):
            self.note(where, f"expected a non-empty list of finite numbers, found {shown(value)}")
            return None
        if not all(rule[0](v) for v in value):
            self.note(where, f"{shown(value)}: every entry {rule[1]}")
            return None
        return tuple(float(v) for v in value)
