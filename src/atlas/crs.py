"""The one CRS policy of the atlas.

* Storage and display: geographic WGS84 (EPSG:4326), longitude before latitude.
* Distances, areas and models: a projected CRS in metres, by default the UTM zone of the
  place concerned (:func:`utm_crs_for`).

Every transformer is built with ``always_xy=True``. Breaking the policy is an error
(:class:`~atlas.errors.CRSPolicyError`), never a warning.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from atlas.errors import CRSPolicyError

__all__ = [
    "WGS84",
    "as_crs",
    "require_projected_metres",
    "transform_xy",
    "transformer",
    "utm_crs_for",
    "utm_epsg_for",
]

WGS84 = CRS.from_epsg(4326)
"""Geographic WGS84: the CRS of everything stored in ``layers/`` and shown on a page."""


def as_crs(value: Any, *, where: str = "crs") -> CRS:
    """Turn any CRS description (EPSG code, ``"EPSG:32649"``, WKT, pyproj CRS) into a pyproj CRS.

    Parameters
    ----------
    value : Any
        The CRS as given by a user or a file.
    where : str
        Where the value came from, for the error message (e.g. ``"scenario.toml: crs"``).

    Raises
    ------
    CRSPolicyError
        When ``value`` is missing or cannot be parsed.
    """
    if value is None:
        raise CRSPolicyError(f'{where}: no CRS given; set it, e.g. crs = "EPSG:32649"')
    try:
        return CRS.from_user_input(value)
    except PyprojCRSError as exc:
        raise CRSPolicyError(
            f"{where}: {value!r} is not a CRS pyproj understands ({exc}); "
            'give an EPSG code such as "EPSG:32649"'
        ) from None


def require_projected_metres(value: Any, *, where: str = "crs") -> CRS:
    """Return ``value`` as a CRS, insisting that it is projected with axes in metres.

    Raises
    ------
    CRSPolicyError
        When the CRS is geographic, or its axis unit is not the metre.
    """
    crs = as_crs(value, where=where)
    if not crs.is_projected:
        raise CRSPolicyError(
            f"{where}: {crs.to_string()!r} is geographic (degrees); distances, areas and models "
            "need a projected CRS in metres, e.g. the site's UTM zone "
            "(EPSG:326xx north, 327xx south)"
        )
    units = {axis.unit_name for axis in crs.axis_info}
    if units != {"metre"}:
        raise CRSPolicyError(
            f"{where}: {crs.to_string()!r} has axis units {sorted(units)}, not metres; "
            "choose a projected CRS in metres such as a UTM zone"
        )
    return crs


def utm_epsg_for(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone containing a point.

    Parameters
    ----------
    lon, lat : float
        Longitude and latitude in degrees (WGS84).

    Returns
    -------
    int
        ``32600 + zone`` in the northern hemisphere, ``32700 + zone`` in the southern.

    Notes
    -----
    Plain 6-degree zones; the Norway and Svalbard exceptions are not applied, which only
    widens a zone slightly and leaves distances accurate to well under 0.1 %.
    """
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise CRSPolicyError(f"({lon!r}, {lat!r}) is not a WGS84 longitude/latitude in degrees")
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


def utm_crs_for(lon: float, lat: float) -> CRS:
    """The WGS84 UTM zone containing a point, as a pyproj CRS (see :func:`utm_epsg_for`)."""
    return CRS.from_epsg(utm_epsg_for(lon, lat))


@lru_cache(maxsize=64)
def _cached_transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transformer(source: Any, target: Any) -> Transformer:
    """An ``always_xy=True`` transformer between two CRSs (cached)."""
    return _cached_transformer(as_crs(source).to_wkt(), as_crs(target).to_wkt())


def transform_xy(
    x: ArrayLike, y: ArrayLike, source: Any, target: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays between CRSs, x (easting or longitude) first."""
    tx, ty = transformer(source, target).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(tx), np.asarray(ty)
