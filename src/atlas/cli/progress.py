"""Progress bars of the command line: on standard error, only on a terminal, only for runs
longer than a few seconds (tqdm); and, on the same terms, one line saying that the solver is
being compiled, when numba compiles it (a first run: one to two minutes, then cached on disk)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TextIO

from numba.core import event

__all__ = ["COMPILE_NOTICE", "compile_notice", "progress_bar", "scenario_bars"]

COMPILE_NOTICE = (
    "compiling the solver's numba kernels: the first run takes one to two minutes longer, "
    "later runs load them from the cache"
)


class _FirstCompile(event.Listener):
    """Writes :data:`COMPILE_NOTICE` to ``stream`` when the first compilation starts."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.said = False

    def on_start(self, compiling: event.Event) -> None:
        if not self.said:
            self.said = True
            from tqdm import tqdm

            tqdm.write(COMPILE_NOTICE, file=self.stream)

    def on_end(self, compiling: event.Event) -> None:
        """Nothing: the notice is said when compiling starts."""


@contextmanager
def compile_notice(stream: TextIO | None = None) -> Iterator[None]:
    """While the block runs, say once on ``stream`` (standard error by default; a terminal
    only) when numba starts compiling: a kernel missing from numba's on-disk cache (numba's
    ``numba:compile`` event, which a kernel loaded from the cache does not send)."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield
        return
    with event.install_listener("numba:compile", _FirstCompile(stream)):
        yield


@contextmanager
def progress_bar(name: str) -> Iterator[Callable[[float], None]]:
    """A progress bar on standard error, shown only on a terminal and only for runs longer than
    a few seconds (with the :func:`compile_notice`); yields the callback that takes the
    fraction done, in [0, 1]."""
    from tqdm import tqdm

    with (
        compile_notice(),
        tqdm(
            total=100,
            desc=name,
            unit="%",
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
            delay=2.0,
            disable=None,
            file=sys.stderr,
        ) as bar,
    ):

        def update(fraction: float) -> None:
            bar.update(round(100 * fraction) - bar.n)

        yield update


@contextmanager
def scenario_bars() -> Iterator[Callable[[str, float], None]]:
    """Yields the progress callback of a build: one bar per scenario, one at a time (with the
    :func:`compile_notice`)."""
    with compile_notice(), ExitStack() as bars:
        current: dict[str, Callable[[float], None]] = {}

        def progress(name: str, fraction: float) -> None:
            if name not in current:
                bars.close()
                current.clear()
                current[name] = bars.enter_context(progress_bar(f"projecting {name}"))
            current[name](fraction)

        yield progress
