"""Output folders written whole or not at all: built next to their place, then moved in.

A reader never sees a half-written folder: :func:`staged_folder` yields an empty folder
beside the target, and only when the block completes is the target replaced by it (two
renames on the same file system). On any failure the target keeps what it held. A target
that holds something else than an earlier output of the same kind is never replaced.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.errors import OutputError

__all__ = ["check_target", "staged_folder"]


def check_target(out_dir: Path, *, marker: str, kind: str) -> None:
    """Refuse a file, or a non-empty folder without ``marker`` (not an earlier ``kind``).

    :func:`staged_folder` checks this itself; call it to fail before lengthy work.

    Raises
    ------
    OutputError
        Naming ``out_dir``, what it holds and the fix.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"expected a folder for the {kind}, found a file", path=out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise OutputError(
            f"is a non-empty folder without {marker}, so not an earlier {kind}; refusing to "
            "replace it; choose an empty or new folder",
            path=out_dir,
        )


def _replace(built: Path, out_dir: Path) -> None:
    """Move ``built`` to ``out_dir``; an earlier ``out_dir`` is moved aside, then deleted."""
    if not out_dir.exists():
        built.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
    out_dir.rename(retired / out_dir.name)
    built.rename(out_dir)
    shutil.rmtree(retired)


@contextmanager
def staged_folder(out_dir: Path, *, marker: str, kind: str) -> Iterator[Path]:
    """Yield an empty folder to write into; when the block succeeds it becomes ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The folder to write (created with its parents, or replaced).
    marker : str
        A file every earlier output of this kind holds (``index.html``, ``summary.json``): a
        non-empty ``out_dir`` without it is refused, never replaced.
    kind : str
        What the folder holds, for messages ("site", "plume output").

    Raises
    ------
    OutputError
        When ``out_dir`` is a file or a foreign folder, or when writing fails with an
        ``OSError`` (the message names ``out_dir`` and the cause). Any other exception of
        the block propagates unchanged. Either way nothing is left beside ``out_dir``.
    """
    check_target(out_dir, marker=marker, kind=kind)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        built = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new.", dir=out_dir.parent))
    except OSError as exc:
        raise OutputError(f"cannot create the {kind} folder ({exc})", path=out_dir) from None
    try:
        built.chmod(0o755)
        yield built
        _replace(built, out_dir)
    except OSError as exc:
        raise OutputError(f"cannot write the {kind} ({exc})", path=out_dir) from exc
    finally:
        shutil.rmtree(built, ignore_errors=True)
