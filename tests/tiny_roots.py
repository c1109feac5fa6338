"""Data roots for build tests: the shipped layers and tiny synthetic scenarios.

A scenario here has a few hundred cells, so a run takes a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SCENARIO = """
schema_version = 1
name = "{name}"
{title}description = "{description}"
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
name = "river"
label = "Test River"
geometry = "LINESTRING ({r} 4496000, {r} 4497500)"
thresholds_mg_per_l = [10.0, 5000.0]
[output]
times_yr = [2, 5, 10, 20]
arrival_resolution_yr = 0.5
[provenance]
"aquifer.effective_porosity" = "assumption: porosity for the <test> & co"
"flow" = "assumption: {velocity} m/yr east"
"description" = "the report that {name} stands for"
"""
"""A tiny uniform-flow scenario: 30 x 15 cells of 100 m near Baotou; 5000 mg/L is never
reached (the source holds 1000 mg/L)."""

XSS_DESCRIPTION = "a <b>tiny</b> & fast pair"


def tiny_scenario(
    name: str, velocity: float, *, x0: int = 388000, description: str = "", title: str = ""
) -> str:
    return SCENARIO.format(
        name=name,
        title=f'title = "{title}"\n' if title else "",
        description=description or f"{name} at {velocity:g} m/yr",
        x0=x0,
        x1=x0 + 3000,
        s0=x0 + 300,
        s1=x0 + 700,
        r=x0 + 2000,
        velocity=velocity,
    )


def layers_root(root: Path) -> Path:
    """A new data root holding the shipped layers (linked) and nothing else."""
    root.mkdir(parents=True)
    (root / "layers").symlink_to(REPO / "layers", target_is_directory=True)
    return root


def write_root(root: Path) -> Path:
    """A data root with the shipped layers and three tiny scenarios (two share a grid)."""
    scenarios = layers_root(root) / "scenarios"
    scenarios.mkdir()
    (scenarios / "baotou.toml").write_text(
        tiny_scenario("baotou", 150.0, title="Tiny Baotou"), encoding="utf-8"
    )
    (scenarios / "baotou_fast_path.toml").write_text(
        tiny_scenario("baotou_fast_path", 400.0, description=XSS_DESCRIPTION), encoding="utf-8"
    )
    (scenarios / "far_away.toml").write_text(
        tiny_scenario("far_away", 300.0, x0=400000), encoding="utf-8"
    )
    return root
