"""TOML document -> :class:`Scenario`, section by section, every problem collected."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import CRS

from atlas.crs import require_projected_metres
from atlas.errors import AtlasError, ScenarioError
from atlas.grid import DEFAULT_MAX_CELLS, Grid
from atlas.scenario.fields import MISSING, NON_NEGATIVE, POSITIVE, FieldReader, Rule, suggest
from atlas.scenario.inputs import Inputs
from atlas.scenario.schema import (
    SCHEMA_VERSION,
    Aquifer,
    FixedHead,
    GridRaster,
    HeadDrivenFlow,
    InitialConcentration,
    Receptor,
    Scenario,
    Source,
    UniformFlow,
)

__all__ = ["load_scenario"]

# --- the sections -----------------------------------------------------------------------------

_TOP = [
    "schema_version",
    "name",
    "description",
    "crs",
    "start_year",
    "grid",
    "aquifer",
    "flow",
    "source",
    "initial",
    "receptor",
    "output",
    "provenance",
]


def _grid(r: FieldReader, doc: Mapping[str, Any], crs: CRS | None) -> Grid | None:
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
        rule=POSITIVE,
        parameter=False,
    )
    numeric = isinstance(bounds, list) and len(bounds) == 4
    if bounds is not MISSING and not (
        numeric and all(isinstance(v, int | float) and not isinstance(v, bool) for v in bounds)
    ):
        r.note("grid.bounds_m", f"expected [xmin, ymin, xmax, ymax] in metres, found {bounds!r}")
        return None
    if bounds is MISSING or cell is None or most is None or crs is None:
        return None
    try:
        return Grid.from_bounds(tuple(bounds), cell, crs, max_cells=int(most))
    except AtlasError as exc:
        r.note("grid", exc.message)
        return None


def _aquifer(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> Aquifer | None:
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


def _flow(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs, aquifer: Aquifer | None):
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
    for index, item in enumerate(r.tables(table, "fixed_head")):
        name = r.text(item, "name", f"flow.fixed_head[{index}].name")
        where = f"flow.fixed_head.{name}" if name else f"flow.fixed_head[{index}]"
        r.keys(item, ["name", "geometry", "head_m"], where)
        head = r.number(item, "head_m", f"{where}.head_m")
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=True)
        )
        if name is not None and head is not None and geometry is not None:
            heads.append(FixedHead(name, geometry, head))
    if not table.get("fixed_head"):
        r.note(
            "flow",
            "needs either velocity_m_per_yr and direction_deg (uniform flow) or "
            "at least one [[flow.fixed_head]] (head-driven flow)",
        )
        return None
    if aquifer is not None and aquifer.hydraulic_conductivity_m_per_day is None:
        r.note(
            "aquifer.hydraulic_conductivity_m_per_day",
            "missing",
            "head-driven flow needs the conductivity (m/d, number or raster path)",
        )
    if recharge is None or len(heads) != len(table["fixed_head"]):
        return None
    return HeadDrivenFlow(tuple(heads), recharge)


def _sources(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> list[Source]:
    sources = []
    for index, item in enumerate(r.tables(doc, "source")):
        name = r.text(item, "name", f"source[{index}].name")
        where = f"source.{name}" if name else f"source[{index}]"
        r.keys(
            item,
            [
                "name",
                "geometry",
                "concentration_mg_per_l",
                "mass_rate_kg_per_yr",
                "start_yr",
                "end_yr",
            ],
            where,
        )
        kinds = [k for k in ("concentration_mg_per_l", "mass_rate_kg_per_yr") if k in item]
        if len(kinds) != 1:
            r.note(
                where,
                f"needs exactly one of concentration_mg_per_l or mass_rate_kg_per_yr, "
                f"found {kinds or 'neither'}",
            )
        strength = {k: r.number(item, k, f"{where}.{k}", rule=NON_NEGATIVE) for k in kinds}
        start = r.number(item, "start_yr", f"{where}.start_yr", default=0.0, rule=NON_NEGATIVE)
        end = r.number(item, "end_yr", f"{where}.end_yr", default=None)
        if None not in (start, end) and end <= start:
            r.note(f"{where}.end_yr", f"{end!r} is not after start_yr {start!r}")
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=False)
        )
        if name and geometry is not None and len(kinds) == 1 and None not in strength.values():
            sources.append(
                Source(
                    name,
                    geometry,
                    strength.get(kinds[0]) if kinds[0].startswith("conc") else None,
                    strength.get(kinds[0]) if kinds[0].startswith("mass") else None,
                    start or 0.0,
                    end,
                )
            )
    return sources


def _receptors(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> list[Receptor]:
    receptors = []
    for index, item in enumerate(r.tables(doc, "receptor")):
        name = r.text(item, "name", f"receptor[{index}].name")
        where = f"receptor.{name}" if name else f"receptor[{index}]"
        r.keys(item, ["name", "geometry", "thresholds_mg_per_l"], where)
        thresholds = r.numbers(
            item, "thresholds_mg_per_l", f"{where}.thresholds_mg_per_l", POSITIVE
        )
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=True)
        )
        if name and thresholds and geometry is not None:
            receptors.append(Receptor(name, geometry, tuple(sorted(set(thresholds)))))
    return receptors


def _initial(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs):
    table = r.table(doc, "initial", "initial", required=False)
    if table is None:
        return None
    r.keys(table, ["raster", "geometry", "concentration_mg_per_l"], "initial")
    if "raster" in table:
        if {"geometry", "concentration_mg_per_l"} & table.keys():
            r.note("initial", "give either raster or geometry + concentration_mg_per_l, not both")
        raster = inputs.raster(table["raster"], "initial.raster")
        return None if raster is None else InitialConcentration(raster=raster)
    value = r.number(
        table, "concentration_mg_per_l", "initial.concentration_mg_per_l", rule=NON_NEGATIVE
    )
    spec = r.get(table, "geometry", "initial.geometry", True)
    geometry = None if spec is MISSING else inputs.geometry(spec, "initial.geometry", clip=True)
    if value is None or geometry is None:
        return None
    return InitialConcentration(geometry=geometry, concentration_mg_per_l=value)


def _check_raster(
    r: FieldReader,
    where: str,
    raster: Any,
    valid: Callable[[np.ndarray], np.ndarray],
    expected: str,
    sources: list[Source],
    grid: Grid | None,
) -> None:
    """Note the grid cells where a raster's value is NaN/nodata or out of range, and the
    sources standing on such cells."""
    if not isinstance(raster, GridRaster) or grid is None:
        return
    bad = ~valid(raster.values)
    if not bad.any():
        return
    under = [s.name for s in sources if (grid.rasterize(s.geometry) & bad).any()]
    count = f"{int(bad.sum())} of {bad.size} grid cells"
    if under:
        count += ", including cells under source " + ", ".join(repr(n) for n in under)
    r.note(
        where,
        f"{str(raster.path)!r} has no valid value (NaN/nodata or not {expected}) in {count}",
        f"cover the whole grid with values {expected}",
    )


def _output(r: FieldReader, doc: Mapping[str, Any]) -> tuple[Any, Any]:
    table = r.table(doc, "output", "output")
    if table is None:
        return None, None
    r.keys(table, ["times_yr", "arrival_resolution_yr"], "output")
    times = r.numbers(table, "times_yr", "output.times_yr", POSITIVE)
    if times is not None and list(times) != sorted(set(times)):
        r.note("output.times_yr", f"{list(times)!r} must be strictly increasing")
        times = None
    resolution = r.number(
        table,
        "arrival_resolution_yr",
        "output.arrival_resolution_yr",
        default=None,
        rule=POSITIVE,
        parameter=False,
    )
    if times is not None and resolution is None:
        resolution = times[-1] / 500.0
    return times, resolution


def _provenance(r: FieldReader, doc: Mapping[str, Any]) -> dict[str, str]:
    table = r.table(doc, "provenance", "provenance", required=False) or {}
    known = {".".join(k.split(".")[:n]) for k in r.parameter_keys for n in range(1, 10)}
    known.add("description")  # what the scenario stands for, with its sources
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            r.note(f"provenance.{key}", f"expected the source as a string, found {value!r}")
        elif key not in known:
            r.note(
                f"provenance.{key}",
                "names no key of this scenario",
                suggest(key, sorted(k for k in r.parameter_keys)),
            )
    return {k: v for k, v in sorted(table.items()) if isinstance(v, str)}


def _unique(r: FieldReader, items: list[Any], kind: str) -> None:
    names = [item.name for item in items]
    for name in sorted({n for n in names if names.count(n) > 1}):
        r.note(
            f"{kind}.{name}", f"the name {name!r} is used more than once", "names must be unique"
        )


# --- the entry point --------------------------------------------------------------------------


def _read_document(source: str | os.PathLike[str] | Mapping[str, Any]):
    if isinstance(source, Mapping):
        return dict(source), None
    path = Path(source)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle), path
    except FileNotFoundError:
        raise ScenarioError("scenario file not found", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", path=path) from None


def _data_root(path: Path | None, root: str | os.PathLike[str] | None) -> Path | None:
    """``root`` when given, else ``ROOT`` for a file at ``ROOT/scenarios/x.toml`` when ``ROOT``
    holds ``layers/``, else None (the environment is read at the edge, not here)."""
    if root is not None:
        return Path(root)
    if path is not None and (path.resolve().parent.parent / "layers").is_dir():
        return path.resolve().parent.parent
    return None


def load_scenario(
    source: str | os.PathLike[str] | Mapping[str, Any],
    *,
    root: str | os.PathLike[str] | None = None,
) -> Scenario:
    """Read and validate a scenario.

    Parameters
    ----------
    source : str, os.PathLike or Mapping
        A TOML file, or the already parsed document (then relative raster paths are taken
        from the current directory or ``root``).
    root : str or os.PathLike, optional
        The data root whose ``layers/`` layer references read and where raster paths are also
        looked up (the CLI passes :func:`atlas.load.find_root`). Default: the folder above the
        scenario's folder when it holds ``layers/`` (``ROOT/scenarios/x.toml``), else none:
        layer references are then reported as problems.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem found, each with its key.
    """
    document, path = _read_document(source)
    r = FieldReader()
    r.keys(document, _TOP, "")
    version = r.get(document, "schema_version", "schema_version", True)
    if version is not MISSING and version != SCHEMA_VERSION:
        r.note("schema_version", f"expected {SCHEMA_VERSION}, found {version!r}")
    name = r.text(document, "name", "name")
    description = r.text(document, "description", "description", default="")
    crs = None
    crs_text = r.text(document, "crs", "crs")
    if crs_text is not None:
        try:
            crs = require_projected_metres(crs_text, where="crs")
        except AtlasError as exc:
            r.note("crs", exc.message.removeprefix("crs: "))
    start_year = r.get(document, "start_year", "start_year", False)
    if start_year is not MISSING and (
        isinstance(start_year, bool) or not isinstance(start_year, int)
    ):
        r.note("start_year", f"expected a calendar year (integer), found {start_year!r}")
    grid = _grid(r, document, crs)
    folder = path.resolve().parent if path is not None else Path.cwd()
    inputs = Inputs(r, crs, grid, folder, _data_root(path, root))
    aquifer = _aquifer(r, document, inputs)
    flow = _flow(r, document, inputs, aquifer)
    sources = _sources(r, document, inputs)
    receptors = _receptors(r, document, inputs)
    initial = _initial(r, document, inputs)
    if aquifer is not None:
        _check_raster(
            r,
            "aquifer.hydraulic_conductivity_m_per_day",
            aquifer.hydraulic_conductivity_m_per_day,
            lambda v: v > 0,
            "> 0",
            sources,
            grid,
        )
    if initial is not None:
        _check_raster(r, "initial.raster", initial.raster, lambda v: v >= 0, ">= 0", sources, grid)
    times, resolution = _output(r, document)
    provenance = _provenance(r, document)
    _unique(r, sources, "source")
    _unique(r, receptors, "receptor")
    if not document.get("source") and "initial" not in document:
        r.note(
            "source",
            "the scenario has neither a [[source]] nor an [initial] concentration",
            "add at least one [[source]]",
        )
    if (
        r.problems
        or name is None
        or crs is None
        or grid is None
        or aquifer is None
        or flow is None
        or times is None
        or resolution is None
    ):
        count = len(r.problems)
        raise ScenarioError(
            f"invalid scenario ({count} problem{'s' if count > 1 else ''})",
            path=path,
            problems=r.problems,
        )
    return Scenario(
        name=name,
        crs=crs,
        grid=grid,
        aquifer=aquifer,
        flow=flow,
        sources=tuple(sources),
        receptors=tuple(receptors),
        output_times_yr=times,
        arrival_resolution_yr=resolution,
        start_year=None if start_year is MISSING else start_year,
        initial=initial,
        description=description,
        provenance=provenance,
        parameter_keys=tuple(r.parameter_keys),
        path=path,
        referenced_files=tuple(inputs.files),
        document_json=json.dumps(document, sort_keys=True, default=str, ensure_ascii=False),
    )
