"""Plume scenarios: a TOML file -> a frozen, validated :class:`Scenario`.

Every problem in a file is collected and reported at once in one
:class:`~atlas.errors.ScenarioError`, each with its key (``aquifer.effective_porosity``,
``source.pond.geometry``) and on one line; unknown keys are errors (typos). Whatever the file
holds, reading it gives a :class:`Scenario` or a :class:`~atlas.errors.ScenarioError`, never
another exception (``tests/scenario/test_scenario_fuzz.py``). A value that is accepted but is
probably a mistake gives a :class:`~atlas.errors.ScenarioWarning`. Geometries are resolved on
loading and rasters are read and aligned to the grid, so a :class:`Scenario` is ready to run.

The file is UTF-8, with or without a byte-order mark; another encoding is refused, named when
it can be recognised (UTF-16, UTF-32). Arrays and tables nest at most
:data:`atlas.scenario.text.MAX_DEPTH` deep.

File format, ``schema_version = 1`` (units in the key names; ``scenarios/*.toml`` are examples)::

    schema_version = 1
    name = "baotou"                      # required: the identifier of its files and data
    title = "Baotou: 20-30 m/yr"         # optional: how pages name it (default: the name)
    description = "..."                  # optional
    crs = "EPSG:32649"                   # projected, metres (a geographic CRS is an error)
    start_year = 1965                    # optional: calendar year of t = 0

    [grid]       bounds_m = [xmin, ymin, xmax, ymax]; cell_size_m; max_cells (default 4e6,
                 at most 1e8)
    [aquifer]    effective_porosity (0, 1]; thickness_m > 0; longitudinal_dispersivity_m >= 0;
                 transverse_dispersivity_m >= 0 (larger than the longitudinal one: accepted
                 with a ScenarioWarning); hydraulic_conductivity_m_per_day (number or
                 raster path; required for head-driven flow); retardation >= 1 (default 1);
                 half_life_yr > 0 (default: no decay); molecular_diffusion_m2_per_yr (default 0)
    [flow]       uniform:  velocity_m_per_yr, direction_deg (azimuth the water flows TOWARD,
                           clockwise from north)
                 or head-driven: recharge_mm_per_yr (default 0) and one or more
                 [[flow.fixed_head]] geometry, head_m, name (optional: default fixed_head_1,
                 fixed_head_2, ... by position), label (optional)   (no flow across the
                 grid edges)
    [[source]]   zero or more: name, geometry, and one of concentration_mg_per_l (held in the
                 source cells) or mass_rate_kg_per_yr (spread evenly over the source cells; a
                 geometry of points is wells, sharing it evenly and entering at the centres of
                 the cells they touch: see atlas.plume.sources); start_yr (default 0),
                 end_yr (default: the horizon); optional leakage of water,
                 leakage_mm_per_yr (over the source's cells) or leakage_m3_per_day (in all,
                 shared by wells as their mass rate is), >= 0: recharge under the source
                 in the steady flow, for the whole run (under uniform flow its mound is
                 superposed and needs the conductivity; see atlas.run.flow_field)
    [initial]    optional: raster = "path"  or  geometry + concentration_mg_per_l
                 (with neither [[source]] nor [initial], the scenario is flow only:
                 ``Scenario.sources == ()`` and no concentration)
    [[receptor]] zero or more: name, geometry, thresholds_mg_per_l = [...], label (optional)
    [output]     times_yr = [...] (increasing, > 0; the last is the horizon);
                 arrival_resolution_yr (record step for arrival times; default horizon / 500)
    [[observation]] zero or more: name, geometry (or lon, lat), year (or time_yr), and
                 min_concentration_mg_per_l or detected + threshold_mg_per_l: what was seen
                 (see :mod:`atlas.scenario.observations`); a run reports whether it agrees,
                 an ensemble keeps the realizations that agree with all
    [uncertainty] optional, for ``atlas ensemble``: realizations, seed, and a prior per
                 parameter, e.g. velocity_m_per_yr = {uniform = [20, 30]}
                 (see :mod:`atlas.scenario.uncertainty`)
    [solver]     optional: dispersion_order = 2 (default) or 4, the order in space of the
                 dispersion between cells (4 for plumes a few cells wide, next to wells;
                 see atlas.scenario.Solver)
    [provenance] "aquifer.effective_porosity" = "source or stated assumption", ...
                 (keys name parameters, or a parent such as "source.pond"; unknown keys are errors);
                 "description" = what the scenario stands for, with its sources

Sources, receptors, fixed heads and observations may each have a ``label``: how pages and
charts name it ("Yellow River"; one line, at most 80 characters; a sentence puts "the" before
a receptor's, "reaches the Yellow River", unless it begins with "The"); without one, its name
with spaces for underscores. Two items of a kind may not be shown alike.
The name stays the identifier in keys, files and data.

A geometry is WKT in the scenario CRS, or a layer reference of the data root,
``{ layer = "rivers_10m", where = { name = "Huang" }, buffer_m = 0 }`` (buffer_m at most
100 km; reprojected to the scenario CRS). Receptor, fixed-head and initial geometries are
clipped to the grid and must touch it; a source must lie wholly inside it. Raster paths are
relative to the scenario file's folder or the data root; a raster must be in the scenario CRS
and have a valid value in every grid cell.

* :mod:`atlas.scenario.schema` — the dataclasses;
* :mod:`atlas.scenario.text` — the file's bytes -> its TOML document (encodings, nesting);
* :mod:`atlas.scenario.parse` — :func:`load_scenario`, section by section;
* :mod:`atlas.scenario.medium` — the grid, aquifer and flow sections;
* :mod:`atlas.scenario.uncertainty` — the ``[uncertainty]`` section (priors of an ensemble);
* :mod:`atlas.scenario.observations` — the ``[[observation]]`` entries;
* :mod:`atlas.scenario.fields`, :mod:`atlas.scenario.inputs` — typed fields, geometries, rasters.
"""

from atlas.scenario.parse import load_scenario
from atlas.scenario.schema import (
    SCHEMA_VERSION,
    Aquifer,
    FixedHead,
    GridRaster,
    HeadDrivenFlow,
    InitialConcentration,
    Observation,
    Receptor,
    Scenario,
    Solver,
    Source,
    UniformFlow,
)
from atlas.scenario.uncertainty import Prior, Uncertainty

__all__ = [
    "SCHEMA_VERSION",
    "Aquifer",
    "FixedHead",
    "GridRaster",
    "HeadDrivenFlow",
    "InitialConcentration",
    "Observation",
    "Prior",
    "Receptor",
    "Scenario",
    "Solver",
    "Source",
    "Uncertainty",
    "UniformFlow",
    "load_scenario",
]
