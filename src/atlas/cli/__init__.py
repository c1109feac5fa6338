"""The ``atlas`` command line: parses arguments, calls the library, reports errors in one line.

Every :class:`~atlas.errors.AtlasError` becomes a single ``atlas: error: ...`` message on
standard error and exit status 1 (2 for a usage error); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from atlas.cli.parser import make_parser
from atlas.errors import AtlasError, ScenarioWarning

__all__ = ["EXIT_ERROR", "error_message", "main", "make_parser"]

EXIT_ERROR = 1


def error_message(exc: AtlasError) -> str:
    """The text after ``atlas: error:``: one line, ``<file>: <key>: <what>; <fix>``, for an
    error with a single problem; else the error's first line followed by one indented line
    per problem. Line breaks inside a part never start a line of their own."""

    def flat(text: str) -> str:
        return " ".join(text.splitlines())

    head = flat(f"{exc.path}: {exc.message}" if exc.path else exc.message)
    if len(exc.problems) == 1 and exc.path:
        return flat(f"{exc.path}: {exc.problems[0]}")
    return "\n".join([head, *(f"    - {flat(str(p))}" for p in exc.problems)])


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print an atlas warning as one ``atlas: warning:`` line (others as Python does)."""
    if issubclass(category, ScenarioWarning):
        print(f"atlas: warning: {' '.join(str(message).splitlines())}", file=sys.stderr)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, file, line)


_PYTHON_SHOWWARNING = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``atlas`` command; returns the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            args.run(args)
    except AtlasError as exc:
        if args.debug:
            raise
        print(f"atlas: error: {error_message(exc)}", file=sys.stderr)
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
