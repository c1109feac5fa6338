"""MT3DMS's own results on its problems 3 and 4, the reference issue 10's limits are set against.

Issue 10 asks atlas to be within half of MT3DMS's own error on these two problems. This script
runs MT3DMS 5.3 itself on their published definitions (Zheng and Wang 1999, as re-stated in the
MODFLOW 6 examples ``ex-gwt-mt3dms-p03`` and ``-p04``) with each of its five advection solvers,
and records the concentrations atlas is compared on in
``bench/results/2026-11-mt3dms-reference.json``: problem 3's centreline every 10 m from 10 to
100 m downstream of the well after 365 days, problem 4's diagonal downstream of the well after
1000 days. ``bench/near_source_bench.py`` scores them with the measures of
``tests/plume/test_plume_mt3dms.py``.

Each problem runs twice. As published, the well injects water (1 and 0.01 m^3/d) at
1000 mg/L, which MODFLOW-2005 adds to the uniform flow. The analytic solutions and atlas inject
the mass alone, so the script also runs the same mass rate as a mass-loading source (MT3DMS's
source type 15) without the water: the like-for-like comparison.

It needs two programs this project does not ship, built from their USGS sources, and flopy to
write their input files (``pip install -e '.[reference]'``)::

    git clone https://github.com/MODFLOW-USGS/mt3dms      # 15c8e80 was used
    # gfortran has no FORM='BINARY': in mt3dms/true-binary/filespec.inc set
    #   DATA ACCESS/'STREAM'/  and  DATA FORM/'UNFORMATTED'/  (as MODFLOW-2005 writes)
    gfortran -O2 -w -std=legacy -fallow-argument-mismatch -o mt3dms mt3dms/true-binary/*.for
    git clone https://github.com/MODFLOW-USGS/mf2005      # 608c2b7 was used
    pip install mfpymake meson ninja
    python -c "import pymake; pymake.main('mf2005/src', 'bin/mf2005', appdir='bin')"

Usage::

    .venv/bin/python bench/mt3dms_reference.py --mf2005 PATH --mt3dms PATH [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import flopy
import numpy as np

OUTPUT = Path(__file__).parent / "results" / "2026-11-mt3dms-reference.json"
SOLVERS = {0: "upstream finite difference", -1: "TVD", 1: "MOC", 2: "MMOC", 3: "HMOC"}
"""MT3DMS's advection solvers by their MIXELM code."""
CELL_M = 10.0
INJECTED_MG_PER_L = 1000.0


@dataclass(frozen=True)
class Problem:
    """One of MT3DMS's benchmark problems, as published (days and metres, cells of 10 m, one
    layer, conductivity 1 m/d)."""

    shape: tuple[int, int]
    thickness_m: float
    porosity: float
    days: float
    flow_steps: int
    alpha_l_m: float
    transverse_ratio: float
    diffusion_m2_per_d: float
    well: tuple[int, int]
    """Row from the north and column, from 0."""
    injection_m3_per_d: float
    percel: float
    npmin: int
    fixed: Callable[[tuple[int, int]], np.ndarray]
    """The cells of fixed head, from the grid's shape."""
    heads_m: Callable[[np.ndarray, np.ndarray], np.ndarray]
    """Starting (and fixed) heads from the cell centres' x and y (m)."""
    compared: Callable[[np.ndarray], list[float]]
    """The compared cells' concentrations from the final field (rows from the north)."""


def _problem_3_heads(x: np.ndarray, _y: np.ndarray) -> np.ndarray:
    """Fixed heads on the west column that drive 1/3 m/d east through porosity 0.3."""
    length_m = (46 - 1) * CELL_M
    return np.where(x < CELL_M, 0.1 * length_m, 0.0)


def _problem_4_heads(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Heads falling toward the north-east, 1 m/d along the diagonal through porosity 0.14."""
    diagonal_m = np.hypot(99 * CELL_M, 99 * CELL_M)
    return 0.14 * diagonal_m * (1 - np.abs(1 - x - y) / np.sqrt(2) / diagonal_m)


def _west_and_east(shape: tuple[int, int]) -> np.ndarray:
    fixed = np.zeros(shape, bool)
    fixed[:, [0, -1]] = True
    return fixed


def _edges(shape: tuple[int, int]) -> np.ndarray:
    fixed = _west_and_east(shape)
    fixed[[0, -1], :] = True
    return fixed


PROBLEMS = {
    "problem_3": Problem(
        shape=(31, 46),
        thickness_m=10.0,
        porosity=0.3,
        days=365.0,
        flow_steps=730,
        alpha_l_m=10.0,
        transverse_ratio=0.3,
        diffusion_m2_per_d=0.0,
        well=(15, 15),
        injection_m3_per_d=1.0,
        percel=1.0,
        npmin=4,
        fixed=_west_and_east,
        heads_m=_problem_3_heads,
        compared=lambda conc: conc[15, 16:26].tolist(),  # 10 to 100 m east of the well
    ),
    "problem_4": Problem(
        shape=(100, 100),
        thickness_m=1.0,
        porosity=0.14,
        days=1000.0,
        flow_steps=100,
        alpha_l_m=2.0,
        transverse_ratio=0.1,
        diffusion_m2_per_d=1e-9,
        well=(79, 20),
        injection_m3_per_d=0.01,
        percel=0.5,
        npmin=2,
        fixed=_edges,
        heads_m=_problem_4_heads,
        compared=lambda conc: [conc[79 - k, 20 + k] for k in range(1, 80)],  # to the edge
    ),
}
"""The two problems; the solver settings (PERCEL, NPMIN) are those of the MODFLOW 6 examples,
whose transport step is MT3DMS's own choice (DT0 = 0). The examples run problem 3 for
1 + 365 days; here it runs the 365 days of the definition and of the analytic solution."""


def _flow(problem: Problem, workspace: Path, mf2005: Path, water: bool) -> flopy.modflow.Modflow:
    """Steady flow with MODFLOW-2005, writing MT3DMS's flow-transport link file; with
    ``water`` the well injects its published rate."""
    model = flopy.modflow.Modflow("flow", model_ws=str(workspace), exe_name=str(mf2005))
    ny, nx = problem.shape
    flopy.modflow.ModflowDis(
        model,
        nlay=1,
        nrow=ny,
        ncol=nx,
        delr=CELL_M,
        delc=CELL_M,
        top=0.0,
        botm=[-problem.thickness_m],
        nper=1,
        nstp=[problem.flow_steps],
        perlen=[problem.days],
        itmuni=4,
        lenuni=2,
    )
    ibound = np.where(problem.fixed(problem.shape), -1, 1)[np.newaxis]
    grid = model.modelgrid
    strt = problem.heads_m(grid.xcellcenters, grid.ycellcenters)
    flopy.modflow.ModflowBas(model, ibound=ibound, strt=strt)
    flopy.modflow.ModflowLpf(model, hk=1.0, laytyp=0)
    if water:
        wells = {0: [[0, *problem.well, problem.injection_m3_per_d]]}
        flopy.modflow.ModflowWel(model, stress_period_data=wells)
    flopy.modflow.ModflowPcg(model, hclose=1e-8, rclose=1e-8)
    flopy.modflow.ModflowLmt(model)
    model.write_input()
    ok, output = model.run_model(silent=True)
    if not ok:
        raise RuntimeError(f"MODFLOW-2005 failed in {workspace}: {output[-5:]}")
    return model


def _transport(
    problem: Problem, workspace: Path, mt3dms: Path, flow: flopy.modflow.Modflow, mixelm: int
) -> tuple[np.ndarray, str]:
    """MT3DMS's final concentration (mg/L, rows from the north) and its banner. Without a well
    in ``flow`` the mass enters as a mass-loading source (type 15) at the same rate."""
    model = flopy.mt3d.Mt3dms(
        "transport", model_ws=str(workspace), exe_name=str(mt3dms), modflowmodel=flow
    )
    flopy.mt3d.Mt3dBtn(
        model,
        icbund=1,
        prsity=problem.porosity,
        sconc=0.0,
        nstp=[problem.flow_steps],
        perlen=[problem.days],
    )
    flopy.mt3d.Mt3dAdv(
        model,
        mixelm=mixelm,
        percel=problem.percel,
        npmin=problem.npmin,
        itrack=3,
        wd=0.5,
        dceps=1e-5,
        nplane=1,
        npl=0,
        nph=16,
        npmax=32,
        nlsink=1,
        npsink=16,
    )
    flopy.mt3d.Mt3dDsp(
        model,
        al=problem.alpha_l_m,
        trpt=problem.transverse_ratio,
        dmcoef=problem.diffusion_m2_per_d,
    )
    if flow.get_package("WEL") is not None:
        entry = [0, *problem.well, INJECTED_MG_PER_L, 2]  # a well at 1000 mg/L
    else:  # g/d: mg/L is g/m^3
        entry = [0, *problem.well, INJECTED_MG_PER_L * problem.injection_m3_per_d, 15]
    sources_and_sinks = int(problem.fixed(problem.shape).sum()) + 1
    flopy.mt3d.Mt3dSsm(model, stress_period_data={0: entry}, mxss=sources_and_sinks)
    flopy.mt3d.Mt3dGcg(model, mxiter=10, iter1=50, cclose=1e-6)
    model.write_input()
    run = subprocess.run(
        [str(mt3dms), "transport.nam"], cwd=workspace, capture_output=True, text=True
    )
    if run.returncode != 0 or "Program completed" not in run.stdout:
        raise RuntimeError(f"MT3DMS (MIXELM {mixelm}) failed in {workspace}: {run.stdout[-400:]}")
    output = flopy.utils.UcnFile(str(workspace / "MT3D001.UCN"))
    end_d = output.get_times()[-1]
    if not np.isclose(end_d, problem.days):
        raise RuntimeError(f"MT3DMS stopped at {end_d} d, not {problem.days} d, in {workspace}")
    return output.get_alldata()[-1, 0], run.stdout.splitlines()[0].strip()


def _banner(listing: Path) -> str:
    """MODFLOW-2005's name and version from its listing file."""
    text = listing.read_text(errors="replace")
    version = re.search(r"VERSION\s+(\S+\s+\S+)", text)
    return f"MODFLOW-2005 {version.group(1) if version else '(version not found)'}"


def run_all(mf2005: Path, mt3dms: Path, scratch: Path) -> dict:
    """Both problems with every solver, with and without the water; the record to write."""
    concentrations: dict[str, dict[str, dict[str, list[float]]]] = {}
    banners: set[str] = set()
    for name, problem in PROBLEMS.items():
        for water, injection in ((True, "published"), (False, "mass_only")):
            for mixelm, solver in SOLVERS.items():
                workspace = scratch / f"{name}_{injection}_{mixelm}"
                workspace.mkdir(parents=True)
                flow = _flow(problem, workspace, mf2005, water)
                conc, banner = _transport(problem, workspace, mt3dms, flow, mixelm)
                banners |= {banner, _banner(workspace / "flow.list")}
                values = [float(f"{value:.6g}") for value in problem.compared(conc)]
                concentrations.setdefault(name, {}).setdefault(injection, {})[solver] = values
                print(f"{name} {injection:9s} {solver:26s} {np.round(values[:5], 3)}")
    return {
        "provenance": {
            "programs": sorted(banners),
            "built_from": "github.com/MODFLOW-USGS/mt3dms 15c8e80 (true-binary, filespec.inc "
            "set to ACCESS 'STREAM', FORM 'UNFORMATTED') and github.com/MODFLOW-USGS/mf2005 "
            "608c2b7, with gfortran (see bench/mt3dms_reference.py)",
            "inputs": f"bench/mt3dms_reference.py with flopy {flopy.__version__}",
            "definitions": "Zheng and Wang (1999), MT3DMS documentation, problems 3 and 4, as "
            "re-stated in modflow6-examples ex-gwt-mt3dms-p03 and -p04",
            "date": date.today().isoformat(),
        },
        "solvers": list(SOLVERS.values()),
        "injections": {
            "published": "the well injects water at 1000 mg/L, as published",
            "mass_only": "the same mass rate without water (source type 15), as in atlas and "
            "the analytic solutions",
        },
        "compared_cells": {
            "problem_3": "row 16, columns 17-26: the centreline every 10 m from 10 to 100 m "
            "downstream of the well, after 365 days",
            "problem_4": "the diagonal north-east of the well (row 80, column 21), from the "
            "next cell to the edge, after 1000 days",
        },
        "concentration_mg_per_l": concentrations,
    }


def main() -> None:
    """Run everything and write the reference file (through a temporary file)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mf2005", type=Path, required=True, help="MODFLOW-2005 executable")
    parser.add_argument("--mt3dms", type=Path, required=True, help="MT3DMS 5.3 executable")
    parser.add_argument("--keep", type=Path, help="run in this new folder and keep it")
    args = parser.parse_args()
    executables = args.mf2005.resolve(), args.mt3dms.resolve()
    if args.keep:
        record = run_all(*executables, args.keep)
    else:
        with tempfile.TemporaryDirectory() as scratch:
            record = run_all(*executables, Path(scratch))
    with tempfile.NamedTemporaryFile("w", dir=OUTPUT.parent, suffix=".partial", delete=False) as f:
        f.write(json.dumps(record, indent=1) + "\n")
    os.replace(f.name, OUTPUT)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
