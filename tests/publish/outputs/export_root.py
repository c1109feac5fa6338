"""Data roots for the export tests: the shipped layers and tiny scenarios (a few hundred
cells, a fraction of a second each), written into a temporary folder."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

NASTY = '\'); DROP TABLE x; -- <b>&</b> "quoted"'
"""Text with SQL and XML metacharacters, which must come back literally."""

SCENARIO = """
schema_version = 1
name = "{name}"
description = {description}
crs = "EPSG:32649"
start_year = 2000
[grid]
bounds_m = [{x0}, 4496000, {x1}, 4497500]
cell_size_m = 100.0
[aquifer]
effective_porosity = 0.25
thickness_m = 10.0
hydraulic_conductivity_m_per_day = 5.0
longitudinal_dispersivity_m = 100.0
transverse_dispersivity_m = 10.0
[flow]
velocity_m_per_yr = {velocity}
direction_deg = 90.0
[[source]]
name = "pond"
geometry = "POLYGON (({s0} 4496500, {s1} 4496500, {s1} 4497000, {s0} 4497000, {s0} 4496500))"
concentration_mg_per_l = 1000.0
[[receptor]]
name = {receptor}
label = {label}
geometry = "LINESTRING ({r} 4496000, {r} 4497500)"
thresholds_mg_per_l = [10.0, 100.0, 5000.0]
{well}[output]
times_yr = [5, 10, 20.5]
[provenance]
"aquifer.effective_porosity" = "assumption: porosity for the <test> & co"
"flow" = "assumption: {velocity} m/yr east"
"""
"""A tiny uniform-flow scenario: 30 x 15 cells of 100 m near Baotou."""


WELL = """[[receptor]]
name = "well"
geometry = "POINT ({x} 4496750)"
thresholds_mg_per_l = [10.0]
"""


def scenario_text(
    name: str,
    velocity: float,
    *,
    x0: int = 388000,
    description: str = "",
    receptor: str = "river",
    label: str = "Test River",
    well: bool = False,
) -> str:
    """The text of a tiny scenario file (strings quoted as TOML basic strings); ``label`` is
    the receptor's; ``well`` adds a point receptor beside the line one."""
    return SCENARIO.format(
        well=WELL.format(x=x0 + 2500) if well else "",
        name=name,
        description=json.dumps(description or f"{name} at {velocity:g} m/yr"),
        receptor=json.dumps(receptor),
        label=json.dumps(label),
        x0=x0,
        x1=x0 + 3000,
        s0=x0 + 300,
        s1=x0 + 700,
        r=x0 + 2000,
        velocity=velocity,
    )


def write_root(root: Path, *, nasty: bool = False) -> Path:
    """A data root with the shipped layers and two tiny scenarios, ``baotou`` and
    ``far-away`` (a name that is not a table name as it is, and a well beside its river).

    With ``nasty``, the layers are copied and the curated sites get one more row whose texts
    hold SQL and XML metacharacters (:data:`NASTY`), and the scenario texts hold them too.
    """
    root.mkdir(parents=True)
    if nasty:
        shutil.copytree(REPO / "layers", root / "layers")
        with (root / "layers" / "sites.csv").open("a", encoding="utf-8", newline="") as sites:
            row = [NASTY, NASTY, "REE", NASTY, "109.9", "40.6", NASTY, NASTY]
            csv.writer(sites, lineterminator="\n").writerow(row)
    else:
        (root / "layers").symlink_to(REPO / "layers", target_is_directory=True)
    scenarios = root / "scenarios"
    scenarios.mkdir()
    text = NASTY if nasty else ""
    (scenarios / "baotou.toml").write_text(
        scenario_text(
            "baotou", 150.0, description=text, receptor=text or "river", label=text or "Test River"
        ),
        encoding="utf-8",
    )
    (scenarios / "far-away.toml").write_text(
        scenario_text("far-away", 300.0, x0=400000, well=True), encoding="utf-8"
    )
    return root
