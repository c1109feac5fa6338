"""Where the data lives: the *data root*, a folder that holds ``layers/``.

The root is looked up once, at the edge (the command line or a notebook), and then passed on
explicitly; nothing below this module reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

from atlas.errors import DataRootError

__all__ = ["ROOT_ENV_VAR", "find_root", "locate_root", "root_above"]

ROOT_ENV_VAR = "ATLAS_ROOT"
"""Environment variable naming the data root when ``--root`` is not given."""

_HOW_TO_POINT = (
    f"pass --root DIR (or find_root(DIR)) or set {ROOT_ENV_VAR}=DIR, "
    "where DIR is a folder that holds layers/"
)


def locate_root(
    explicit: str | os.PathLike[str] | None = None,
    *,
    scenario: str | os.PathLike[str] | None = None,
) -> Path | None:
    """The data root rule, in one place: the folder that holds ``layers/``, or None.

    Looks, in order, at ``explicit``, then the ``ATLAS_ROOT`` environment variable, then (for
    a ``scenario`` file) the folder above the scenario's folder (``ROOT/scenarios/x.toml``,
    :func:`root_above`), then the current directory. An explicit root or an ``ATLAS_ROOT``
    is the only one checked: without ``layers/`` it is an error, not a reason to look
    elsewhere. The others are used only when they hold ``layers/``.

    Parameters
    ----------
    explicit : str or os.PathLike, optional
        A root chosen by the user, e.g. from ``--root DIR``.
    scenario : str or os.PathLike, optional
        A scenario file whose own data root is preferred to the current directory.

    Returns
    -------
    pathlib.Path or None
        The absolute path of the root; None when none was given and none was found.

    Raises
    ------
    DataRootError
        When the explicit root or ``ATLAS_ROOT`` has no ``layers/`` folder.
    """
    if explicit is not None:
        return _require_layers(Path(explicit), "the root given explicitly (--root)")
    from_env = os.environ.get(ROOT_ENV_VAR, "").strip()
    if from_env:
        return _require_layers(Path(from_env), f"the root named by {ROOT_ENV_VAR}")
    above = None if scenario is None else root_above(scenario)
    if above is not None:
        return above
    cwd = Path.cwd()
    return cwd.resolve() if (cwd / "layers").is_dir() else None


def find_root(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Find the data root: the folder that holds ``layers/`` (:func:`locate_root`), or fail.

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
    root = locate_root(explicit)
    if root is None:
        raise DataRootError(
            f"no data root found: --root was not given, {ROOT_ENV_VAR} is not set, and the "
            f"current directory {str(Path.cwd())!r} has no layers/ folder; {_HOW_TO_POINT}"
        )
    return root


def root_above(scenario: str | os.PathLike[str]) -> Path | None:
    """``ROOT`` for a scenario file at ``ROOT/scenarios/x.toml`` when ``ROOT`` holds
    ``layers/``, else None. Reads no environment: the default of
    :func:`atlas.scenario.load_scenario`.

    Parameters
    ----------
    scenario : str or os.PathLike
        The scenario file.

    Returns
    -------
    pathlib.Path or None
    """
    try:
        above = Path(scenario).resolve().parent.parent
        return above if (above / "layers").is_dir() else None
    except (OSError, ValueError):  # an unresolvable path: no root there
        return None


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
