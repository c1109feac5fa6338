"""Where the data lives: the *data root*, a folder that holds ``layers/``.

The root is looked up once, at the edge (the command line or a notebook), and then passed on
explicitly; nothing below this module reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from atlas.errors import DataRootError

__all__ = ["ROOT_ENV_VAR", "find_root"]

ROOT_ENV_VAR = "ATLAS_ROOT"
"""Environment variable naming the data root when ``--root`` is not given."""

_HOW_TO_POINT = (
    f"pass --root DIR (or find_root(DIR)) or set {ROOT_ENV_VAR}=DIR, "
    "where DIR is a folder that holds layers/"
)


def find_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the data root: the folder that holds ``layers/``.

    Looks, in order, at ``explicit``, then the ``ATLAS_ROOT`` environment variable, then the
    current directory. The first one given is the only one checked: an explicit root or an
    ``ATLAS_ROOT`` without ``layers/`` is an error, not a reason to look elsewhere.

    Parameters
    ----------
    explicit : str or os.PathLike, optional
        A root chosen by the user, e.g. from ``--root DIR``.

    Returns
    -------
    pathlib.Path
        The absolute path of the root.

    Raises
    ------
    DataRootError
        When the chosen folder has no ``layers/``, or no root was given and the current
        directory has none; the message says what was looked at and how to point at a root.
    """
    if explicit is not None:
        return _require_layers(Path(explicit), "the root given explicitly (--root)")
    from_env = os.environ.get(ROOT_ENV_VAR, "").strip()
    if from_env:
        return _require_layers(Path(from_env), f"the root named by {ROOT_ENV_VAR}")
    cwd = Path.cwd()
    if (cwd / "layers").is_dir():
        return cwd.resolve()
    raise DataRootError(
        f"no data root found: --root was not given, {ROOT_ENV_VAR} is not set, and the "
        f"current directory {str(cwd)!r} has no layers/ folder; {_HOW_TO_POINT}"
    )


def _require_layers(candidate: Path, origin: str) -> Path:
    """Return ``candidate`` resolved, or raise when it has no ``layers/`` folder."""
    root = candidate.expanduser()
    if not root.is_dir():
        raise DataRootError(
            f"{origin} is not a folder (it does not exist or is a file); {_HOW_TO_POINT}",
            path=root,
        )
    if not (root / "layers").is_dir():
        raise DataRootError(
            f"{origin} has no layers/ folder; {_HOW_TO_POINT}",
            path=root,
        )
    return root.resolve()
