"""The result's CF-1.8 dataset as a NetCDF file, and back."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from atlas import __version__

__all__ = ["read_netcdf", "write_netcdf"]

_WRITER_ATTRS = ("inputs_sha256", "atlas_version")


def write_netcdf(dataset: xr.Dataset, path: Path, *, inputs_sha256: str) -> None:
    """Write ``dataset`` as NetCDF-4 with the inputs' hash and the atlas version in its
    attributes; concentrations as compressed float32 (mg/L), everything else as it is."""
    dataset = dataset.copy()
    dataset.attrs.update(inputs_sha256=inputs_sha256, atlas_version=__version__)
    if "concentration" in dataset:
        dataset["concentration"].encoding.update(dtype="float32", zlib=True, complevel=4)
    dataset.to_netcdf(path, engine="netcdf4")


def read_netcdf(
    path: Path, *, inputs_sha256: str, widen: Sequence[str] = ("concentration",)
) -> xr.Dataset:
    """The dataset :func:`write_netcdf` wrote, loaded into memory, as the run built it:
    the ``widen`` variables (stored as float32) as float64 again, no file encodings, no
    writer attributes, variables in the run's order (so that writing it again gives the same
    bytes).

    Raises
    ------
    ValueError
        When the file was written from other inputs than ``inputs_sha256``.
    """
    with xr.open_dataset(path, engine="netcdf4", decode_coords="all") as stored:
        if stored.attrs.get("inputs_sha256") != inputs_sha256:
            raise ValueError(f"{path.name} was written from other inputs")
        stored = stored.load()
    for name in widen:
        if name in stored:
            stored[name] = stored[name].astype(np.float64)
            stored[name].encoding["grid_mapping"] = "spatial_ref"
    for variable in stored.variables.values():  # the file's encodings, but the grid mapping
        grid_mapping = variable.encoding.get("grid_mapping")
        variable.encoding = {} if grid_mapping is None else {"grid_mapping": grid_mapping}
    # The run's order: the grid's coordinates, the fields, then the other coordinates.
    grid = [name for name in ("y", "x", "spatial_ref") if name in stored.coords]
    others = [name for name in stored.coords if name not in grid]
    dataset = xr.Dataset(coords={name: stored[name].variable for name in grid})
    for key, field in stored.drop_vars(others).data_vars.items():
        dataset[key] = field.variable
    dataset = dataset.assign_coords({name: stored[name].variable for name in others})
    dataset.attrs = {k: v for k, v in stored.attrs.items() if k not in _WRITER_ATTRS}
    return dataset
