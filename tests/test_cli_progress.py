"""The command line's note that numba is compiling the solver (a first run)."""

import io

import numba

from atlas.cli.progress import COMPILE_NOTICE, compile_notice


class Terminal(io.StringIO):
    """Text written to a terminal."""

    def isatty(self) -> bool:
        return True


def test_a_compilation_is_announced_once_on_a_terminal_and_only_inside_the_block():
    stream = Terminal()
    with compile_notice(stream):
        numba.njit(lambda x: x + 1)(1)
        numba.njit(lambda x: x * 2.0)(2.0)
    numba.njit(lambda x: x - 1)(1)
    assert stream.getvalue() == COMPILE_NOTICE + "\n"


def test_nothing_is_said_when_nothing_compiles_or_off_a_terminal():
    add = numba.njit(lambda x: x + 1)
    add(1)
    stream = Terminal()
    with compile_notice(stream):
        add(2)  # already compiled
    assert stream.getvalue() == ""
    log = io.StringIO()
    with compile_notice(log):
        numba.njit(lambda x: x + 2)(1)
    assert log.getvalue() == ""
