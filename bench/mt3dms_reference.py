"""MT3DMS's own results on its problems 3 and 4, the reference issue 10's limits are set against.

Issue 10 asks atlas to be within half of MT3DMS's own error on these two problems. This script
runs MT3DMS 5.3 itself on their published definitions (Zheng and Wang 1999, as re-stated in the
MODFLOW 6 examples ``ex-gwt-mt3dms-p03`` and ``-p04``), with each of its five advection
solvers, and records the concentrations atlas is compared on in
``tests/plume/data/mt3dms_reference.json``: problem 3's centreline every 10 m from 10 to 100 m
downstream of the well after 365 days, problem 4's diagonal downstream of the well after
1000 days. The tests (``tests/plume/test_plume_mt3dms.py``) and ``bench/near_source_bench.py``
score these values with the same measures as atlas's own.

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

    .venv/bin/python bench/mt3dms_reference.py --mf2005 PATH --mt3dms PATH

MT3DMS is run as published: the well injects water (1 and 0.01 m^3/d) at 1000 mg/L, which
MODFLOW-2005 adds to the uniform flow, where atlas and the analytic solution inject mass
alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import flopy
import numpy as np

OUTPUT = Path(__file__).parents[1] / "tests" / "plume" / "data" / "mt3dms_reference.json"
SOLVERS = {
    0: "upstream finite difference",
    -1: "TVD",
    1: "MOC",
    2: "MMOC",
    3: "HMOC",
}
"""MT3DMS's advection solvers by their MIXELM code."""


def _flow(
    workspace: Path,
    mf2005: Path,
    shape: tuple[int, int],
    thickness_m: float,
    days: float,
    flow_steps: int,
    ibound: np.ndarray,
    heads_m: Callable[[np.ndarray, np.ndarray], np.ndarray],
    well: tuple[int, int],
    injection_m3_per_d: float,
) -> flopy.modflow.Modflow:
    """Steady flow of the problem with MODFLOW-2005 (1 m/d conductivity, one layer, cells of
    10 m, days and metres), writing MT3DMS's flow-transport link file. ``heads_m`` gives the
    starting and fixed heads (m) from the cell centres' x and y (m)."""
    model = flopy.modflow.Modflow("flow", model_ws=str(workspace), exe_name=str(mf2005))
    flopy.modflow.ModflowDis(
        model,
        nlay=1,
        nrow=shape[0],
        ncol=shape[1],
        delr=10.0,
        delc=10.0,
        top=0.0,
        botm=[-thickness_m],
        nper=1,
        nstp=[flow_steps],
        perlen=[days],
        itmuni=4,
        lenuni=2,
    )
    grid = model.modelgrid
    strt = heads_m(grid.xcellcenters, grid.ycellcenters)
    flopy.modflow.ModflowBas(model, ibound=ibound, strt=strt)
    flopy.modflow.ModflowLpf(model, hk=1.0, laytyp=0)
    flopy.modflow.ModflowWel(model, stress_period_data={0: [[0, *well, injection_m3_per_d]]})
    flopy.modflow.ModflowPcg(model, hclose=1e-8, rclose=1e-8)
    flopy.modflow.ModflowLmt(model)
    model.write_input()
    ok, output = model.run_model(silent=True)
    if not ok:
        raise RuntimeError(f"MODFLOW-2005 failed in {workspace}: {output[-5:]}")
    return model


def _transport(
    workspace: Path,
    mt3dms: Path,
    flow: flopy.modflow.Modflow,
    mixelm: int,
    porosity: float,
    alpha_l_m: float,
    transverse_ratio: float,
    diffusion_m2_per_d: float,
    well: tuple[int, int],
    steps: dict[str, float],
) -> np.ndarray:
    """MT3DMS's concentration (mg/L, rows from the north) at the end, for the well injecting
    at 1000 mg/L. ``steps`` holds the published particle and step settings."""
    model = flopy.mt3d.Mt3dms(
        "transport", model_ws=str(workspace), exe_name=str(mt3dms), modflowmodel=flow
    )
    days, flow_steps = flow.dis.perlen.array[0], int(flow.dis.nstp.array[0])
    flopy.mt3d.Mt3dBtn(
        model,
        icbund=1,
        prsity=porosity,
        sconc=0.0,
        nstp=[flow_steps],
        perlen=[days],
        dt0=steps["dt0"],
    )
    flopy.mt3d.Mt3dAdv(
        model,
        mixelm=mixelm,
        percel=steps["percel"],
        npmin=int(steps["npmin"]),
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
    flopy.mt3d.Mt3dDsp(model, al=alpha_l_m, trpt=transverse_ratio, dmcoef=diffusion_m2_per_d)
    flopy.mt3d.Mt3dSsm(model, stress_period_data={0: [0, *well, 1000.0, 2]})
    flopy.mt3d.Mt3dGcg(model, mxiter=10, iter1=50, cclose=1e-6)
    model.write_input()
    run = subprocess.run(
        [str(mt3dms), "transport.nam"], cwd=workspace, capture_output=True, text=True
    )
    if "Program completed" not in run.stdout:
        raise RuntimeError(f"MT3DMS (MIXELM {mixelm}) failed in {workspace}: {run.stdout[-400:]}")
    return flopy.utils.UcnFile(str(workspace / "MT3D001.UCN")).get_alldata()[-1, 0]


def problem_3(workspace: Path, mf2005: Path, mt3dms: Path, mixelm: int) -> list[float]:
    """Problem 3's centreline (mg/L) every 10 m from 10 to 100 m downstream of the well."""
    shape, well, porosity = (31, 46), (15, 15), 0.3
    seepage_m3_per_m2_d = porosity / 3  # 1/3 m/d
    ibound = np.ones((1, *shape), int)
    ibound[0, :, [0, -1]] = -1  # fixed heads on the west and east columns
    length_m = (shape[1] - 1) * 10.0

    def heads(x, _y):
        return np.where(x < 10.0, seepage_m3_per_m2_d * length_m, 0.0)

    flow = _flow(workspace, mf2005, shape, 10.0, 365.0, 730, ibound, heads, well, 1.0)
    steps = {"dt0": 0.3, "percel": 1.0, "npmin": 4}
    conc = _transport(workspace, mt3dms, flow, mixelm, porosity, 10.0, 0.3, 0.0, well, steps)
    return conc[well[0], well[1] + 1 : well[1] + 11].tolist()


def problem_4(workspace: Path, mf2005: Path, mt3dms: Path, mixelm: int) -> list[float]:
    """Problem 4's diagonal (mg/L) downstream of the well, from the next cell to the edge."""
    shape, well, porosity = (100, 100), (79, 20), 0.14
    ibound = -np.ones((1, *shape), int)
    ibound[0, 1:-1, 1:-1] = 1  # fixed heads all round
    diagonal_m = np.hypot(*(np.array(shape) - 1) * 10.0)
    top_m = porosity * 1.0 * diagonal_m  # seepage 1 m/d toward the north-east

    def heads(x, y):
        return top_m * (1 - np.abs(1 - x - y) / np.sqrt(2) / diagonal_m)

    flow = _flow(workspace, mf2005, shape, 1.0, 1000.0, 100, ibound, heads, well, 0.01)
    steps = {"dt0": 0.0, "percel": 0.5, "npmin": 2}
    conc = _transport(workspace, mt3dms, flow, mixelm, porosity, 2.0, 0.1, 1e-9, well, steps)
    cells = np.arange(1, well[0] + 1)  # up the rows (north) and along the columns (east)
    return conc[well[0] - cells, well[1] + cells].tolist()


def main() -> None:
    """Run both problems with every solver and write the reference file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mf2005", type=Path, required=True, help="MODFLOW-2005 executable")
    parser.add_argument("--mt3dms", type=Path, required=True, help="MT3DMS 5.3 executable")
    args = parser.parse_args()
    mf2005, mt3dms = args.mf2005.resolve(), args.mt3dms.resolve()
    results: dict[str, dict[str, list[float]]] = {"problem_3": {}, "problem_4": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for mixelm, name in SOLVERS.items():
            for problem, run in (("problem_3", problem_3), ("problem_4", problem_4)):
                workspace = Path(scratch) / f"{problem}_{mixelm}"
                workspace.mkdir()
                values = run(workspace, mf2005, mt3dms, mixelm)
                results[problem][name] = [float(f"{value:.6g}") for value in values]
                print(f"{problem} {name:27s} {np.round(values[:6], 3)}")
    record = {
        "provenance": {
            "program": "MT3DMS 5.30 (University of Alabama), github.com/MODFLOW-USGS/mt3dms "
            "15c8e80, true-binary sources with filespec.inc set to ACCESS 'STREAM', FORM "
            "'UNFORMATTED'; flow by MODFLOW-2005 1.12.00, github.com/MODFLOW-USGS/mf2005 "
            "608c2b7; both built with GNU Fortran 12.2.0",
            "inputs": f"bench/mt3dms_reference.py with flopy {flopy.__version__}",
            "definitions": "Zheng and Wang (1999), MT3DMS documentation, problems 3 and 4, as "
            "re-stated in modflow6-examples ex-gwt-mt3dms-p03 and -p04",
            "date": date.today().isoformat(),
        },
        "solvers": list(SOLVERS.values()),
        "problem_3": {
            "what": "row 16, columns 17-26: the centreline every 10 m from 10 to 100 m "
            "downstream of the well, after 365 days (mg/L)",
            "concentration_mg_per_l": results["problem_3"],
        },
        "problem_4": {
            "what": "the diagonal north-east of the well (row 80, column 21), from the next "
            "cell on, after 1000 days (mg/L)",
            "concentration_mg_per_l": results["problem_4"],
        },
    }
    partial = OUTPUT.with_suffix(".json.partial")
    partial.write_text(json.dumps(record, indent=1) + "\n")
    os.replace(partial, OUTPUT)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
