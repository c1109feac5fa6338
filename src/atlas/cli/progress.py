"""Progress bars of the command line: on standard error, only on a terminal, only for runs
longer than a few seconds (tqdm)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

__all__ = ["progress_bar", "scenario_bars"]


@contextmanager
def progress_bar(name: str) -> Iterator[Callable[[float], None]]:
    """A progress bar on standard error, shown only on a terminal and only for runs longer than
    a few seconds; yields the callback that takes the fraction done, in [0, 1]."""
    from tqdm import tqdm

    with tqdm(
        total=100,
        desc=name,
        unit="%",
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
        delay=2.0,
        disable=None,
        file=sys.stderr,
    ) as bar:

        def update(fraction: float) -> None:
            bar.update(round(100 * fraction) - bar.n)

        yield update


@contextmanager
def scenario_bars() -> Iterator[Callable[[str, float], None]]:
    """Yields the progress callback of a build: one bar per scenario, one at a time."""
    with ExitStack() as bars:
        current: dict[str, Callable[[float], None]] = {}

        def progress(name: str, fraction: float) -> None:
            if name not in current:
                bars.close()
                current.clear()
                current[name] = bars.enter_context(progress_bar(f"projecting {name}"))
            current[name](fraction)

        yield progress
