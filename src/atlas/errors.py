"""The atlas's exceptions: one small tree, every member also a ``ValueError``.

Every message says where (file, row or field), what was found, and how to fix it. The
library never prints; the command line turns an :class:`AtlasError` into one clean line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike

__all__ = [
    "AtlasError",
    "CRSPolicyError",
    "DataRootError",
    "GridError",
    "LayerError",
    "OutputError",
    "ParameterError",
    "Problem",
    "RasterError",
    "ScenarioError",
    "ScenarioWarning",
    "SolverError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix.

    Parameters
    ----------
    where : str
        The field, key or row, e.g. ``"aquifer.effective_porosity"`` or ``"row 12, column 'lat'"``.
    message : str
        What was expected and what was found.
    fix : str, optional
        How to put it right.
    """

    where: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text}; {self.fix}" if self.fix else text


class AtlasError(ValueError):
    """Base class of every error the atlas raises on bad input.

    Parameters
    ----------
    message : str
        What is wrong. Used as is when no ``problems`` are given.
    path : str or os.PathLike, optional
        The file the problem is in; prefixed to the message.
    problems : iterable of Problem, optional
        Several located problems, reported at once, one per line.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        problems: Iterable[Problem] = (),
    ) -> None:
        self.path = None if path is None else str(path)
        self.problems = tuple(problems)
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.path}: {self.message}" if self.path else self.message
        if not self.problems:
            return head
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class DataRootError(AtlasError):
    """No data root (a folder holding ``layers/``) could be found."""


class LayerError(AtlasError):
    """A vector layer or table is missing, unreadable or malformed."""


class RasterError(AtlasError):
    """A raster is missing, unreadable, in the wrong CRS or holds NaNs where values are needed."""


class CRSPolicyError(AtlasError):
    """A CRS is missing, unparseable, or breaks the CRS policy (see :mod:`atlas.crs`).

    Named apart from :class:`pyproj.exceptions.CRSError`, which pyproj raises for a CRS it
    cannot parse; the atlas turns that into this error, with the file and the fix.
    """


class GridError(AtlasError):
    """A model grid is malformed or larger than allowed."""


class ScenarioError(AtlasError):
    """A scenario file is malformed; ``problems`` lists every problem found."""


class OutputError(AtlasError):
    """An output location cannot be written."""


class ParameterError(AtlasError):
    """A model parameter is out of range; the message names the quantity and its unit."""


class SolverError(AtlasError):
    """A numerical solve failed: it did not converge or would be unstable."""


class ScenarioWarning(UserWarning):
    """A scenario value that is accepted but is probably a mistake (for example a transverse
    dispersivity larger than the longitudinal one); the message names the keys and the file."""
