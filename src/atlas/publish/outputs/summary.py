"""``summary.json``: a result's arrivals, plume statistics, flow at the source, assumptions,
provenance and inputs' hash in plain JSON, and the tables read back from it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from atlas import __version__
from atlas.observed import observation_rows
from atlas.result import (
    ARRIVAL_COLUMNS,
    MODELLED_LABEL,
    YEAR_DECIMALS,
    PlumeResult,
    SourceFlow,
)

__all__ = ["SUMMARY", "dump_json", "json_number", "read_tables", "summary"]

SUMMARY = "summary.json"
"""File name of the summary in an output folder (it marks the folder as plume outputs)."""

_BUDGET = ("mass_in_kg", "mass_stored_kg", "mass_out_kg", "mass_decayed_kg")


def json_number(value: Any) -> float | None:
    """A number as a JSON float, None for NaN (JSON has no NaN)."""
    value = float(value)
    return None if not np.isfinite(value) else value


def dump_json(content: Any, path: Path) -> None:
    """Write ``content`` as sorted, indented UTF-8 JSON (no NaN: use None)."""
    text = json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def _areas_m2(result: PlumeResult, time_yr: float) -> dict[str, float | None]:
    """Area at or above each threshold at one output time (0 where there is none), m²."""
    rows = result.isochrones[result.isochrones["time_yr"] == time_yr]
    area = dict(zip(rows["threshold_mg_per_l"], rows["area_m2"], strict=True))
    return {f"{t:g}": json_number(area.get(t, 0.0)) for t in result.scenario.thresholds_mg_per_l}


def _source_flow(flow: SourceFlow | None) -> dict[str, Any] | None:
    return None if flow is None else flow._asdict()


def summary(result: PlumeResult, *, files: Iterable[str] = ()) -> dict[str, Any]:
    """The content of ``summary.json``, in plain JSON types (None for NaN).

    Parameters
    ----------
    result : PlumeResult
        The result to summarise.
    files : iterable of str
        Names of the files written beside it, listed under ``"files"``.
    """
    scenario, grid = result.scenario, result.scenario.grid
    output_times = [
        {
            "time_yr": json_number(row["time_yr"]),
            "max_concentration_mg_per_l": json_number(row["max_concentration_mg_per_l"]),
            "area_m2_at_or_above": _areas_m2(result, row["time_yr"]),
            **{term: json_number(row[term]) for term in _BUDGET},
        }
        for _, row in result.output_times.iterrows()
    ]
    arrivals = [
        {
            "receptor": row["receptor"],
            **{column: json_number(row[column]) for column in ARRIVAL_COLUMNS[1:]},
        }
        for _, row in result.arrivals.iterrows()
    ]
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "modelled": MODELLED_LABEL,
        "inputs_sha256": result.inputs_sha256,
        "atlas_version": __version__,
        "crs": scenario.crs.to_string(),
        "start_year": scenario.start_year,
        "grid": {
            "x_min_m": grid.x_min_m,
            "y_min_m": grid.y_min_m,
            "cell_size_m": grid.cell_size_m,
            "nx": grid.nx,
            "ny": grid.ny,
        },
        "assumptions": list(result.assumptions),
        "provenance": dict(scenario.provenance),
        "undocumented_parameters": list(scenario.undocumented),
        "arrival_resolution_yr": json_number(round(scenario.arrival_resolution_yr, YEAR_DECIMALS)),
        "arrivals": arrivals,
        "output_times": output_times,
        "source_flow": _source_flow(result.source_flow),
        "observations": observation_rows(result),
        "files": sorted(files),
    }


def _flow(content: Mapping[str, Any] | None) -> SourceFlow | None:
    if content is None:
        return None
    conductivity = content["conductivity_m_per_day"]
    gradient = content["gradient"]
    return SourceFlow(
        int(content["cells"]),
        tuple(float(v) for v in content["speed_m_per_yr"]),  # type: ignore[arg-type]
        None if conductivity is None else tuple(float(v) for v in conductivity),  # type: ignore[arg-type]
        None if gradient is None else float(gradient),
    )


def read_tables(
    content: Mapping[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame, SourceFlow | None, tuple[str, ...]]:
    """The arrivals, output-time table, source flow and assumptions of a ``summary.json``
    as :class:`~atlas.result.PlumeResult` holds them."""
    arrivals = pd.DataFrame(content["arrivals"], columns=list(ARRIVAL_COLUMNS))
    arrivals = arrivals.astype({column: float for column in ARRIVAL_COLUMNS[1:]})
    columns = ["time_yr", "max_concentration_mg_per_l", *_BUDGET]
    output_times = pd.DataFrame(
        [[row[column] for column in columns] for row in content["output_times"]],
        columns=columns,
        dtype=float,
    )
    return (
        arrivals,
        output_times,
        _flow(content["source_flow"]),
        tuple(str(line) for line in content["assumptions"]),
    )
