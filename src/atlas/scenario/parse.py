"""TOML document -> :class:`Scenario`, section by section, every problem collected."""

from __future__ import annotations

import json
import os
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from atlas.crs import require_projected_metres
from atlas.errors import AtlasError, ScenarioError, ScenarioWarning
from atlas.grid import Grid, single_parts
from atlas.load.root import root_above
from atlas.plume.transport import DISPERSION_ORDERS
from atlas.scenario.fields import (
    MISSING,
    NON_NEGATIVE,
    POSITIVE,
    FieldReader,
    key_path,
    shown,
    suggest,
)
from atlas.scenario.inputs import Inputs
from atlas.scenario.medium import read_aquifer, read_flow, read_grid
from atlas.scenario.observations import read_observations
from atlas.scenario.schema import (
    SCHEMA_VERSION,
    Aquifer,
    GridRaster,
    InitialConcentration,
    Observation,
    Receptor,
    Scenario,
    Solver,
    Source,
    UniformFlow,
)
from atlas.scenario.text import check_structure, read_document
from atlas.scenario.uncertainty import read_uncertainty

__all__ = ["load_scenario"]

# --- the sections -----------------------------------------------------------------------------

_TOP = [
    "schema_version",
    "name",
    "title",
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
    "uncertainty",
    "observation",
    "solver",
]


def _sources(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> list[Source]:
    sources = []
    for index, item in enumerate(r.tables(doc, "source", "source")):
        name = r.text(item, "name", f"source[{index}].name")
        where = key_path("source", name) if name else f"source[{index}]"
        r.keys(
            item,
            [
                "name",
                "label",
                "geometry",
                "concentration_mg_per_l",
                "mass_rate_kg_per_yr",
                "start_yr",
                "end_yr",
                *LEAKAGE_KEYS,
            ],
            where,
        )
        label = r.label(item, where)
        kinds = [k for k in ("concentration_mg_per_l", "mass_rate_kg_per_yr") if k in item]
        if len(kinds) != 1:
            r.note(
                where,
                f"needs exactly one of concentration_mg_per_l or mass_rate_kg_per_yr, "
                f"found {kinds or 'neither'}",
            )
        strength = {k: r.number(item, k, f"{where}.{k}", rule=NON_NEGATIVE) for k in kinds}
        leaks = [k for k in LEAKAGE_KEYS if k in item]
        if len(leaks) > 1:
            r.note(
                where,
                f"gives both {' and '.join(leaks)}",
                "give the leakage once: in mm/yr over the source's area, or in m3/day in all",
            )
        leakage = {k: r.number(item, k, f"{where}.{k}", rule=NON_NEGATIVE) for k in leaks}
        start = r.number(item, "start_yr", f"{where}.start_yr", default=0.0, rule=NON_NEGATIVE)
        end = r.number(item, "end_yr", f"{where}.end_yr", default=None)
        if start is not None and end is not None and end <= start:
            r.note(f"{where}.end_yr", f"{end!r} is not after start_yr {start!r}")
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=False)
        )
        if (
            name
            and geometry is not None
            and len(kinds) == 1
            and None not in strength.values()
            and len(leaks) <= 1
            and None not in leakage.values()
        ):
            source = Source(
                name,
                geometry,
                strength.get(kinds[0]) if kinds[0].startswith("conc") else None,
                strength.get(kinds[0]) if kinds[0].startswith("mass") else None,
                start or 0.0,
                end,
                **leakage,
                label=label,
            )
            if source.at_points and source.leakage_mm_per_yr is not None:
                r.note(
                    f"{where}.leakage_mm_per_yr",
                    "a source of wells (points) has no area for a rate per area: per cell it "
                    "would depend on the cell size",
                    "give leakage_m3_per_day, shared evenly by the wells",
                )
            sources.append(source)
    return sources


LEAKAGE_KEYS = ("leakage_mm_per_yr", "leakage_m3_per_day")
"""The keys of a source's leakage of water (at most one per source)."""


def _check_leakage(
    r: FieldReader, sources: list[Source], flow: Any, aquifer: Aquifer | None
) -> None:
    """A leaking source under uniform flow needs the conductivity as one number: its mound is
    an infinite aquifer's of that transmissivity, superposed on the uniform flow
    (:func:`atlas.run.flow_field`)."""
    if not isinstance(flow, UniformFlow) or aquifer is None:
        return
    if isinstance(aquifer.hydraulic_conductivity_m_per_day, float):
        return
    for source in sources:
        if source.leakage_mm_per_yr is not None or source.leakage_m3_per_day is not None:
            key = next(k for k in LEAKAGE_KEYS if getattr(source, k) is not None)
            r.note(
                f"{key_path('source', source.name)}.{key}",
                "under uniform flow the leakage mound needs the aquifer's conductivity as one "
                "number (the mound of an infinite aquifer of uniform transmissivity)",
                "give aquifer.hydraulic_conductivity_m_per_day one value (m/d), or leave the "
                "leakage out",
            )


def _check_head_rise(
    r: FieldReader, observations: list[Observation], sources: list[Source], flow: Any
) -> None:
    """A head-rise observation needs a leakage mound: uniform flow and a leaking source (under
    head-driven flow the heads are not split into regional and mound)."""
    mound = isinstance(flow, UniformFlow) and any(
        (s.leakage_mm_per_yr, s.leakage_m3_per_day) != (None, None) for s in sources
    )
    for observation in observations:
        if observation.max_head_rise_m is not None and not mound:
            r.note(
                f"{key_path('observation', observation.name)}.max_head_rise_m",
                "observes a leakage mound, which this scenario has not (it needs uniform flow "
                "and a source with leakage_mm_per_yr or leakage_m3_per_day)",
                "give a source a leakage, or leave the observation out",
            )


def _receptors(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs) -> list[Receptor]:
    receptors = []
    for index, item in enumerate(r.tables(doc, "receptor", "receptor")):
        name = r.text(item, "name", f"receptor[{index}].name")
        where = key_path("receptor", name) if name else f"receptor[{index}]"
        r.keys(item, ["name", "label", "geometry", "thresholds_mg_per_l"], where)
        label = r.label(item, where)
        thresholds = r.numbers(
            item, "thresholds_mg_per_l", f"{where}.thresholds_mg_per_l", POSITIVE
        )
        spec = r.get(item, "geometry", f"{where}.geometry", True)
        geometry = (
            None if spec is MISSING else inputs.geometry(spec, f"{where}.geometry", clip=True)
        )
        if name and thresholds and geometry is not None:
            receptors.append(Receptor(name, geometry, tuple(sorted(set(thresholds))), label))
    return receptors


def _initial(r: FieldReader, doc: Mapping[str, Any], inputs: Inputs):
    table = r.table(doc, "initial", "initial", required=False)
    if table is None:
        return None
    r.keys(table, ["raster", "geometry", "concentration_mg_per_l"], "initial")
    if "raster" in table:
        if {"geometry", "concentration_mg_per_l"} & table.keys():
            r.note("initial", "give either raster or geometry + concentration_mg_per_l, not both")
        path = r.text(table, "raster", "initial.raster")
        raster = None if path is None else inputs.raster(path, "initial.raster")
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


MAX_RECORDS = 1_000_000
"""The most receptor records of a run (horizon / arrival_resolution_yr)."""


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
    if times is not None and resolution is not None and times[-1] / resolution > MAX_RECORDS:
        r.note(
            "output.arrival_resolution_yr",
            f"{resolution:g} yr over a horizon of {times[-1]:g} yr is more than "
            f"{MAX_RECORDS:,} receptor records",
            f"use at least {times[-1] / MAX_RECORDS:g} yr",
        )
        resolution = None
    return times, resolution


def _solver(r: FieldReader, doc: Mapping[str, Any]) -> Solver:
    """The optional ``[solver]`` section; the defaults where it is absent or bad (bad is
    noted)."""
    table = r.table(doc, "solver", "solver", required=False)
    if table is None:
        return Solver()
    r.keys(table, ["dispersion_order"], "solver")
    order = r.get(table, "dispersion_order", "solver.dispersion_order", False)
    if order is MISSING:
        return Solver()
    if isinstance(order, bool) or not isinstance(order, int) or order not in DISPERSION_ORDERS:
        r.note(
            "solver.dispersion_order",
            f"expected {' or '.join(map(str, DISPERSION_ORDERS))}, found {shown(order)}",
            "write 2 (the default) or 4 (fourth-order dispersion, for plumes a few cells wide)",
        )
        return Solver()
    return Solver(dispersion_order=order)


def _provenance(r: FieldReader, doc: Mapping[str, Any]) -> dict[str, str]:
    table = r.table(doc, "provenance", "provenance", required=False) or {}
    known = {".".join(k.split(".")[:n]) for k in r.parameter_keys for n in range(1, 10)}
    known.add("description")  # what the scenario stands for, with its sources
    for key, value in table.items():
        if not isinstance(value, str) or not value.strip():
            r.note(
                key_path("provenance", key),
                f"expected the source as a string, found {shown(value)}",
            )
        elif key not in known:
            r.note(
                key_path("provenance", key),
                "names no key of this scenario",
                suggest(key, sorted(k for k in r.parameter_keys)),
            )
    return {k: v for k, v in sorted(table.items()) if isinstance(v, str)}


# --- the entry point --------------------------------------------------------------------------


def _document(
    source: str | os.PathLike[str] | Mapping[str, Any],
) -> tuple[dict[str, Any], Path | None]:
    """The document and its file (None for a document given as a mapping)."""
    if isinstance(source, Mapping):
        document, path = dict(source), None
    else:
        path = Path(source)
        document = read_document(path)
    deep = check_structure(document)
    if deep:
        raise ScenarioError(_invalid(len(deep)), path=path, problems=deep)
    return document, path


def _invalid(count: int) -> str:
    return f"invalid scenario ({count} problem{'s' if count > 1 else ''})"


def _warn_dispersivity(aquifer: Aquifer, where: str) -> None:
    """Warn (:class:`ScenarioWarning`) when the transverse dispersivity exceeds the
    longitudinal one: allowed, but usually a swap of the two values."""
    transverse = aquifer.transverse_dispersivity_m
    longitudinal = aquifer.longitudinal_dispersivity_m
    if transverse > longitudinal:
        warnings.warn(
            f"{where}: aquifer.transverse_dispersivity_m ({transverse:g} m) is larger than "
            f"aquifer.longitudinal_dispersivity_m ({longitudinal:g} m); accepted, but the "
            "transverse one is usually about a tenth of the longitudinal one: check that the "
            "two are not swapped",
            ScenarioWarning,
            stacklevel=3,
        )


def _warn_repeated_wells(sources: list[Source], where: str) -> None:
    """Warn (:class:`ScenarioWarning`) when a source of wells gives the same point more than
    once: it counts as that many wells (:meth:`atlas.grid.Grid.count_points`), and is usually
    one written twice."""
    for source in sources:
        if not source.at_points:
            continue
        points = shapely.get_coordinates(single_parts(source.geometry))
        counts = Counter(map(tuple, points.tolist()))
        for (x, y), count in counts.items():
            if count > 1:
                warnings.warn(
                    f"{where}: {key_path('source', source.name)}.geometry gives the well at "
                    f"({_plain(x)}, {_plain(y)}) {count} times; it counts as {count} wells, "
                    f"with {count} shares of the rate: give it once if it is one well",
                    ScenarioWarning,
                    stacklevel=3,
                )


def _plain(value: float) -> str:
    """A coordinate in plain digits (``4500510``, not ``4.50051e+06``)."""
    return np.format_float_positional(value, trim="-")


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
        scenario's folder when it holds ``layers/`` (``ROOT/scenarios/x.toml``, see
        :func:`atlas.load.root.root_above`), else none: layer references are then reported
        as problems.

    Returns
    -------
    Scenario
        With ``sources == ()`` when the file has neither ``[[source]]`` nor ``[initial]``
        (a flow-only scenario).

    Raises
    ------
    ScenarioError
        Listing every problem found, each with its key.

    Warns
    -----
    ScenarioWarning
        For a value that is accepted but probably a mistake (a transverse dispersivity larger
        than the longitudinal one, a well given twice), naming the keys and the file.
    """
    document, path = _document(source)
    r = FieldReader()
    r.keys(document, _TOP, "")
    version = r.get(document, "schema_version", "schema_version", True)
    if version is not MISSING and (
        isinstance(version, bool) or not isinstance(version, int) or version != SCHEMA_VERSION
    ):
        r.note("schema_version", f"expected {SCHEMA_VERSION}, found {shown(version)}")
    name = r.text(document, "name", "name")
    description = r.text(document, "description", "description", default="")
    title = r.label(document, "", "title")
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
        r.note("start_year", f"expected a calendar year (integer), found {shown(start_year)}")
    grid = read_grid(r, document, crs)
    folder = path.resolve().parent if path is not None else Path.cwd()
    if root is None and path is not None:
        root = root_above(path)
    inputs = Inputs(r, crs, grid, folder, None if root is None else Path(root))
    aquifer = read_aquifer(r, document, inputs)
    flow = read_flow(r, document, inputs, aquifer)
    sources = _sources(r, document, inputs)
    _check_leakage(r, sources, flow, aquifer)
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
    observations = read_observations(
        r,
        document,
        inputs,
        start_year=None if start_year is MISSING else start_year,
        horizon_yr=None if times is None else times[-1],
        transports="source" in document or "initial" in document,
    )
    _check_head_rise(r, observations, sources, flow)
    mounded = any(o.max_head_rise_m is not None for o in observations)
    uncertainty = read_uncertainty(r, document, aquifer, flow, sources, heights_observed=mounded)
    solver = _solver(r, document)
    provenance = _provenance(r, document)
    r.unique(sources, "source")
    r.unique(receptors, "receptor")
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
        raise ScenarioError(_invalid(len(r.problems)), path=path, problems=r.problems)
    where = str(path) if path else f"scenario {name!r}"
    _warn_dispersivity(aquifer, where)
    _warn_repeated_wells(sources, where)
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
        title=title,
        provenance=provenance,
        parameter_keys=tuple(r.parameter_keys),
        path=path,
        referenced_files=tuple(inputs.files),
        document_json=json.dumps(document, sort_keys=True, default=str, ensure_ascii=False),
        uncertainty=uncertainty,
        observations=tuple(observations),
        solver=solver,
    )
