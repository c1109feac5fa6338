"""Data files of the site: JSON behind one assignment (``window.<name> = {...};``), so a page
loads them with a ``<script>`` element, from a server or from ``file://`` alike, and several
pages share one cached copy.

The JSON is compact, keys in the order given, no NaN (a value that is not a finite number must
be None before it gets here); written as a script file, never inside HTML, so its text needs no
escaping for a page. The same data gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["write_data_file"]


def write_data_file(site_dir: Path, target: str, name: str, data: Mapping[str, Any]) -> Path:
    """Write ``data`` as the script ``<site_dir>/<target>`` setting ``window.<name>``.

    Parameters
    ----------
    site_dir : pathlib.Path
        The (staged) site folder.
    target : str
        Path of the file in the site, ``/``-separated (``assets/data/sites.js``).
    name : str
        The global variable it sets; an identifier.
    data : mapping
        JSON-serialisable values.

    Raises
    ------
    ValueError
        When ``name`` is not an identifier, or ``data`` holds NaN or infinity.
    """
    if not name.isidentifier():
        raise ValueError(f"data file {target}: {name!r} is not an identifier")
    path = site_dir.joinpath(*target.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    path.write_text(f"window.{name} = {text};\n", encoding="utf-8", newline="\n")
    return path
