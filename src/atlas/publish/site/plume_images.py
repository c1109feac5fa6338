"""The filled plume of a scenario page: one colour-ramped, semi-transparent PNG per output time.

Each image is the result's concentration grid classified by the scenario's ramp
(:func:`atlas.publish.ramp.concentration_ramp`: the same classes and colours as the quicklook
maps and the isochrones), reprojected from the scenario's projected CRS to Web Mercator
(EPSG:3857, the CRS the Leaflet map draws in) cell class by cell class (nearest neighbour, so
no class is invented between two others), and written as an RGBA PNG whose transparent pixels
are below the lowest class. Leaflet stretches an ``L.imageOverlay`` linearly between its
south-west and north-east corners in EPSG:3857, so an image in EPSG:3857 with its corners
given in degrees (:attr:`PlumeFrames.bounds`) lies where the grid lies. Every image carries the
MODELLED label in its PNG text; the page says it beside the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.image import imsave
from pyproj import Transformer
from rasterio.warp import Resampling, calculate_default_transform, reproject

from atlas.publish.ramp import ConcentrationRamp, concentration_ramp
from atlas.result import DEGREE_DECIMALS, MODELLED_LABEL, PlumeResult

__all__ = ["WEB_MERCATOR", "PlumeFrame", "PlumeFrames", "frame_label", "write_plume_images"]

WEB_MERCATOR = "EPSG:3857"
"""The CRS the page's map draws in."""

_OUTSIDE = -1
"""Class of cells below the lowest class, and of pixels outside the grid."""


@dataclass(frozen=True)
class PlumeFrame:
    """One output time of a scenario page.

    Attributes
    ----------
    time_yr : float
        Years since t = 0.
    label : str
        The calendar year it falls in ("2020"), or "5 yr" without a start year.
    image : str
        File name of its PNG, in the scenario page's folder.
    """

    time_yr: float
    label: str
    image: str


@dataclass(frozen=True)
class PlumeFrames:
    """The images of a scenario page and where they lie.

    Attributes
    ----------
    frames : tuple of PlumeFrame
        One per output time, in time order.
    bounds : tuple
        ``((south, west), (north, east))`` of the images, degrees (EPSG:4326).
    ramp : ConcentrationRamp
        Their classes and colours.
    """

    frames: tuple[PlumeFrame, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    ramp: ConcentrationRamp


def frame_label(start_year: int | None, time_yr: float) -> str:
    """The year a time falls in ("2020"), or "5 yr" after t = 0 without a start year."""
    if start_year is None:
        return f"{time_yr:g} yr"
    return f"{math.floor(start_year + time_yr)}"


def _reprojected_classes(result: PlumeResult, classes: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``classes`` (north-up, on the scenario grid) in EPSG:3857, and the image's bounds in
    EPSG:3857 (west, south, east, north)."""
    grid = result.scenario.grid
    transform, width, height = calculate_default_transform(
        grid.crs, WEB_MERCATOR, grid.nx, grid.ny, *grid.bounds_m
    )
    target = np.full((height, width), _OUTSIDE, dtype=np.int16)
    reproject(
        classes.astype(np.int16),
        target,
        src_transform=grid.transform,
        src_crs=grid.crs,
        src_nodata=_OUTSIDE,
        dst_transform=transform,
        dst_crs=WEB_MERCATOR,
        dst_nodata=_OUTSIDE,
        resampling=Resampling.nearest,
    )
    west, north = transform @ (0, 0)
    east, south = transform @ (width, height)
    return target, (west, south, east, north)


def _degrees(bounds_3857: tuple) -> tuple[tuple[float, float], tuple[float, float]]:
    """Web-Mercator bounds as ((south, west), (north, east)) in degrees."""
    west, south, east, north = bounds_3857
    to_degrees = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_degrees.transform([west, east], [south, north])
    return (
        (round(lat0, DEGREE_DECIMALS), round(lon0, DEGREE_DECIMALS)),
        (round(lat1, DEGREE_DECIMALS), round(lon1, DEGREE_DECIMALS)),
    )


def write_plume_images(result: PlumeResult, folder: Path) -> PlumeFrames:
    """Write ``plume_<k>.png`` for each output time of ``result`` into ``folder``.

    Parameters
    ----------
    result : PlumeResult
        A result that moved solute (``result.transports``).
    folder : pathlib.Path
        The scenario page's folder (created if missing).

    Returns
    -------
    PlumeFrames
        The frames in time order, the images' bounds in degrees and the ramp.
    """
    scenario = result.scenario
    ramp = concentration_ramp(scenario.thresholds_mg_per_l)
    concentration = result.dataset["concentration"]
    folder.mkdir(parents=True, exist_ok=True)
    frames = []
    bounds: tuple = ()
    for k, time_yr in enumerate(concentration["time_yr"].values.astype(float)):
        classes = ramp.classify(concentration.isel(time_yr=k).values)
        projected, bounds = _reprojected_classes(result, classes)
        label = frame_label(scenario.start_year, time_yr)
        name = f"plume_{k:02d}.png"
        metadata: dict[str, Any] = {
            "Software": None,  # no version: the same bytes with any matplotlib
            "Title": f"{scenario.name}: modelled concentration, {label}",
            "Description": MODELLED_LABEL,
        }
        imsave(folder / name, ramp.class_rgba(projected), format="png", metadata=metadata)
        frames.append(PlumeFrame(float(time_yr), label, name))
    return PlumeFrames(tuple(frames), _degrees(bounds), ramp)
