"""The grid, the aquifer and the flow: the sections that describe the medium and how water
moves through it (see :mod:`atlas.scenario` for the file format)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pyproj import CRS

from atlas.errors import AtlasError
from atlas.grid import DEFAULT_MAX_CELLS, Grid
from atlas.scenario.fields import (
    MISSING,
    NON_NEGATIVE,
    POSITIVE,
    FieldReader,
    Rule,
    is_number,
    key_path,
    shown,
)
from atlas.scenario.inputs import Inputs
from atlas.scenario.schema import Aquifer, FixedHead, HeadDrivenFlow, UniformFlow

__all__ = ["MOST_CELLS", "read_aquifer", "read_flow", "read_grid"]

MOST_CELLS = 100_000_000
"""The largest ``grid.max_cells`` a scenario may ask for (the default is
:data:`atlas.grid.DEFAULT_MAX_CELLS`)."""


def read_grid(r: FieldReader, doc: Mapping[str, Any], crs: CRS | None) -> Grid | None:
    """The ``[grid]`` section.

    Parameters
    ----------
    r : FieldReader
        Collects the problems (none is raised).
    doc : Mapping
        The scenario document.
    crs : pyproj.CRS or None
        The scenario CRS (None when it is bad: the grid is then not built).

    Returns
    -------
    Grid or None
        None when the section has a problem (noted in ``r``).
    """
    table = r.table(doc, "grid", "grid")
    if table is None:
        return None
    r.keys(table, ["bounds_m", "cell_size_m", "max_cells"], "grid")
    bounds = r.get(table, "bounds_m", "grid.bounds_m", True)
    cell = r.number(table, "cell_size_m", "grid.cell_size_m", rule=POSITIVE, parameter=False)
    most = r.number(
        table,
        "max_cells",
        "grid.max_cells",
        default=DEFAULT_MAX_CELLS,
        rule=(
            lambda v: 1 <= v <= MOST_CELLS,
            f"is outside [1, {MOST_CELLS:.0e}]: every field on a grid of {MOST_CELLS:.0e} "
            "cells takes 800 MB, and the model holds several",
        ),
        parameter=False,
    )
    numeric = isinstance(bounds, list) and len(bounds) == 4
    if bounds is not MISSING and not (numeric and all(is_number(v) for v in bounds)):
        r.note(
            "grid.bounds_m",
            f"expected [xmin, ymin, xmax, ymax] in metres, found {shown(bounds)}",
        )
        return None
    if bounds is MISSING or cell is None or most is None or crs is None:
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    if not (math.isfinite((xmax - xmin) / cell) and math.isfinite((ymax - ymin) / cell)):
        r.note("grid", f"{shown(bounds)} with cells of {cell!r} m gives too many cells to count")
        return None
    try:
        return Grid.from_bounds((xmin, ymin, xmax, ymax), cell, crs, max_cells=int(most))
    except AtlasError as exc:
        r.note("grid", exc.message)
        return None


def read_aquifer(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> Aquifer | None:
    """The ``[aquifer]`` section, its conductivity raster read onto the grid.

    Parameters
    ----------
    r : FieldReader
        Collects the problems (none is raised).
    doc : Mapping
        The scenario document.
    inputs : Inputs
        Resolves the conductivity raster.

    Returns
    -------
    Aquifer or None
        None when a required value has a problem (noted in ``r``).
    """
    table = r.table(doc, "aquifer", "aquifer")
    if table is None:
        return None
    keys = [
        "effective_porosity",
        "thickness_m",
        "longitudinal_dispersivity_m",
        "transverse_dispersivity_m",
        "hydraulic_conductivity_m_per_day",
        "retardation",
        "half_life_yr",
        "molecular_diffusion_m2_per_yr",
    ]
    r.keys(table, keys, "aquifer")
    porosity: Rule = (lambda v: 0 < v <= 1, "is outside (0, 1]")
    values = {
        "effective_porosity": r.number(table, keys[0], "aquifer.effective_porosity", rule=porosity),
        "thickness_m": r.number(table, keys[1], "aquifer.thickness_m", rule=POSITIVE),
        **{key: r.number(table, key, f"aquifer.{key}", rule=NON_NEGATIVE) for key in keys[2:4]},
        "retardation": r.number(
            table,
            "retardation",
            "aquifer.retardation",
            default=1.0,
            rule=(lambda v: v >= 1, "must be >= 1 (1 = no sorption)"),
        ),
        "half_life_yr": r.number(
            table, "half_life_yr", "aquifer.half_life_yr", default=None, rule=POSITIVE
        ),
        "molecular_diffusion_m2_per_yr": r.number(
            table, keys[7], f"aquifer.{keys[7]}", default=0.0, rule=NON_NEGATIVE
        ),
    }
    conductivity = table.get(keys[4])
    where = f"aquifer.{keys[4]}"
    if isinstance(conductivity, str):
        values[keys[4]] = inputs.raster(conductivity, where)
    elif conductivity is not None:
        values[keys[4]] = r.number(table, keys[4], where, rule=POSITIVE)
    if any(v is None for k, v in values.items() if k in keys[:4]):
        return None
    return Aquifer(**values)


def read_flow(
    r: FieldReader, doc: Mapping[str, Any], inputs: Inputs, aquifer: Aquifer | None
) -> UniformFlow | HeadDrivenFlow | None:
    """The ``[flow]`` section: uniform, or head-driven from ``[[flow.fixed_head]]`` (a head
    without a name is named ``fixed_head_<position>``, counted from 1).

    Parameters
    ----------
    r : FieldReader
        Collects the problems (none is raised).
    doc : Mapping
        The scenario document.
    inputs : Inputs
        Resolves the fixed-head geometries.
    aquifer : Aquifer or None
        Head-driven flow needs its conductivity.

    Returns
    -------
    UniformFlow or HeadDrivenFlow or None
        None when the section has a problem (noted in ``r``).
    """
    table = r.table(doc, "flow", "flow")
    if table is None:
        return None
    uniform = {"velocity_m_per_yr", "direction_deg"} & table.keys()
    if uniform:
        r.keys(table, ["velocity_m_per_yr", "direction_deg"], "flow")
        velocity = r.number(table, "velocity_m_per_yr", "flow.velocity_m_per_yr", rule=NON_NEGATIVE)
        direction = r.number(table, "direction_deg", "flow.direction_deg")
        return None if None in (velocity, direction) else UniformFlow(velocity, direction % 360.0)
    r.keys(table, ["fixed_head", "recharge_mm_per_yr"], "flow")
    recharge = r.number(table, "recharge_mm_per_yr", "flow.recharge_mm_per_yr", default=0.0)
    heads = []
    items = r.tables(table, "fixed_head", "flow.fixed_head")
    for index, item in enumerate(items):
        default = f"fixed_head_{index + 1}"  # the name is optional: geometry + head_m suffice
        name = r.text(item, "name", f"flow.fixed_head[{index}].name", default=default)
        where = key_path("flow.fixed_head", name) if name else f"flow.fixed_head[{index}]"
        r.keys(item, ["name", "label", "geometry", "head_m"], where)
        label = r.label(item, where)
        head = r.number(item, "head_m", f"{where}.head_m")
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=True)
        )
        if name is not None and head is not None and geometry is not None:
            heads.append(FixedHead(name, geometry, head, label))
    r.unique(heads, "flow.fixed_head")
    if not items:
        r.note(
            "flow",
            "needs either velocity_m_per_yr and direction_deg (uniform flow) or "
            "at least one [[flow.fixed_head]] (head-driven flow)",
        )
        return None
    table = doc.get("aquifer")
    given = isinstance(table, Mapping) and "hydraulic_conductivity_m_per_day" in table
    if aquifer is not None and aquifer.hydraulic_conductivity_m_per_day is None and not given:
        r.note(
            "aquifer.hydraulic_conductivity_m_per_day",
            "missing",
            "head-driven flow needs the conductivity (m/d, number or raster path)",
        )
    if recharge is None or len(heads) != len(items):
        return None
    return HeadDrivenFlow(tuple(heads), recharge)
