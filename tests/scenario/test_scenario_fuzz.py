"""A reader that cannot crash: whatever a scenario file holds, the outcome is a Scenario or one
ScenarioError whose every problem is on one line; ``atlas plume`` on a bad file prints one
``atlas: error:`` line naming the file (and its key), exits with 1 and writes nothing.

Inputs: arbitrary bytes, arbitrary TOML documents, and valid scenarios (the shipped ones and
the test documents) with keys removed, renamed, retyped, duplicated and deeply nested.

The default run is small (a few seconds, part of ``make test``); ``HYPOTHESIS_PROFILE=fuzz``
(``make fuzz``) runs many more examples.
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import io
import json
import math
import os
import tempfile
import tomllib
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, given, settings
from scenario_documents import BASE

from atlas.cli import main
from atlas.errors import ScenarioError, ScenarioWarning
from atlas.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[2]

settings.register_profile(
    "scenario-small",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(
    "fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "scenario-small"
)


def bounded(share: float = 1.0) -> settings:
    """The profile's settings with ``share`` of its examples (the CLI runs fewer)."""
    return settings(PROFILE, max_examples=max(5, int(PROFILE.max_examples * share)))


# --- the documents to start from ---------------------------------------------------------------


def _shipped(name: str) -> dict[str, Any]:
    document = tomllib.loads((REPO / "scenarios" / f"{name}.toml").read_text(encoding="utf-8"))
    conductivity = document["aquifer"].get("hydraulic_conductivity_m_per_day")
    if isinstance(conductivity, str):  # relative to scenarios/: make it relative to the root
        document["aquifer"]["hydraulic_conductivity_m_per_day"] = conductivity.removeprefix("../")
    return document


UNCERTAIN = {
    **BASE,
    "name": "uncertain",
    "uncertainty": {
        "realizations": 20,
        "seed": 7,
        "velocity_m_per_yr": {"uniform": [20, 30]},
        "longitudinal_dispersivity_m": {"loguniform": [10, 100]},
        "effective_porosity": {"triangular": [0.15, 0.25, 0.35]},
        "thickness_m": {"normal": [10, 2], "bounds": [5, 15]},
        "half_life_yr": {"lognormal": [50, 0.5]},
        "retardation": 1.2,
        "source": {"pond": {"concentration_mg_per_l": {"uniform": [50, 150]}}},
        "correlations": [["velocity_m_per_yr", "longitudinal_dispersivity_m", 0.5]],
    },
    "solver": {"dispersion_order": 4},
}
"""A valid start with every kind of prior and a [solver] section (both are fuzzed too)."""

STARTS = {
    "small": BASE,
    "uncertain": UNCERTAIN,
    **{name: _shipped(name) for name in ("baotou", "baotou_fast_path", "mountain_pass")},
}


def _paths(value: Any, most: int = 6) -> list[tuple[Any, ...]]:
    """Every path (keys and list indices) to a value inside ``value``, at most ``most`` deep."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(value, ())]
    while stack:
        item, prefix = stack.pop()
        if len(prefix) >= most:
            continue
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        for key, child in children:
            found.append((*prefix, key))
            stack.append((child, (*prefix, key)))
    return sorted(found, key=str)


def _known_keys() -> list[str]:
    keys = {str(p[-1]) for start in STARTS.values() for p in _paths(start)}
    return sorted(k for k in keys if not k.isdigit())


KNOWN_KEYS = _known_keys()


# --- TOML text out of a document (inline tables only: always valid TOML) -----------------------


def _toml_string(text: str) -> str:
    escaped = json.dumps(text, ensure_ascii=False)
    return "".join(
        c if c.isprintable() or c in '\\"' else f"\\u{ord(c):04x}" for c in escaped
    ).replace("\x7f", "\\u007f")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        depth, inner = 0, value
        while isinstance(inner, list) and len(inner) == 1:  # nested(): without recursion
            depth, inner = depth + 1, inner[0]
        if depth > 1:
            return "[" * depth + _toml_value(inner) + "]" * depth
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(type(value))


def to_toml(document: dict[str, Any]) -> str:
    """``document`` as TOML text, one ``key = value`` line per top-level key."""
    return "".join(f"{_toml_string(k)} = {_toml_value(v)}\n" for k, v in document.items())


# --- strategies -----------------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "POINT (401000 4500500)",
    "POINT (109.6 40.6)",
    "POINT (nan nan)",
    "POINT (1e400 1)",
    "LINESTRING (0 0)",
    "POLYGON ((0 0, 1 1, 0 0))",
    "POLYGON ((1 2",
    "GEOMETRYCOLLECTION EMPTY",
    "EPSG:4326",
    "EPSG:32649",
    "EPSG:3857",
    "EPSG:3031",
    "EPSG:32649+5773",
    "+proj=ortho +lat_0=-40 +lon_0=-70 +units=m",
    "Huang",
    "+proj=longlat",
    "not a crs",
    "rasters/baotou_conductivity_schematic.tif",
    "rasters/etopo5_clip_mountain_pass_117.5-114W_34-36.5N.tif",
    "layers/sites.csv",
    "../../../../etc/passwd",
    "rasters",
    "x" * 300,  # a file name too long for the system
    "a\x00b",
    "line\nbreak",
    "\u2028",
]
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12))
scalars = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(max_size=20),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**80),
    st.floats(),
    st.floats(min_value=-1e7, max_value=1e7),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.sampled_from([0, 1, -1, 0.5, 1e308, -1e308, 5e-324]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)
layer_references = st.fixed_dictionaries(
    {"layer": st.sampled_from(["rivers_10m", "tailings_pond", "lakes_10m", "sites", "nope"])},
    optional={
        "where": st.dictionaries(
            st.sampled_from(["name", "nmae", "scalerank"]), values, max_size=2
        ),
        "buffer_m": scalars,
    },
)
replacements = st.one_of(values, layer_references)


def nested(depth: int) -> list[Any]:
    """An array nested ``depth`` deep (built without recursion)."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid start document with one to three keys removed, renamed, retyped, duplicated or
    replaced by a deeply nested array."""
    document = copy.deepcopy(STARTS[draw(st.sampled_from(sorted(STARTS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        if not paths:
            break
        *parents, key = draw(st.sampled_from(paths))
        parent: Any = document
        for part in parents:
            parent = parent[part]
        action = draw(st.sampled_from(["remove", "rename", "retype", "duplicate", "nest"]))
        if isinstance(parent, list):
            if action == "remove":
                del parent[key]
            elif action == "duplicate":
                parent.append(parent[key])  # shared, not copied: it may be nested deeply
            elif action == "nest":
                parent[key] = nested(draw(st.integers(1, 3000)))
            else:
                parent[key] = draw(replacements)
            continue
        if action == "remove":
            del parent[key]
        elif action == "rename":
            new = draw(
                st.one_of(
                    st.sampled_from([key[:-2], key + "s", key.removesuffix("_m"), key.upper()]),
                    keys,
                )
            )
            parent[new] = parent.pop(key)
        elif action == "duplicate":
            parent[draw(keys)] = parent[key]  # shared, not copied: it may be nested deeply
        elif action == "nest":
            parent[key] = nested(draw(st.integers(1, 3000)))
        else:
            parent[key] = draw(replacements)
    return document


@st.composite
def mutated_texts(draw: st.DrawFn) -> bytes:
    """A shipped scenario's text with lines or whole sections duplicated, values replaced by
    deeply nested arrays, or saved in another encoding."""
    name = draw(st.sampled_from(["baotou", "baotou_fast_path", "mountain_pass"]))
    lines = (REPO / "scenarios" / f"{name}.toml").read_text(encoding="utf-8").splitlines()
    action = draw(st.sampled_from(["line", "section", "nest", "encoding", "truncate"]))
    if action == "line":
        line = draw(st.sampled_from(lines))
        lines.insert(draw(st.integers(0, len(lines))), line)
    elif action == "section":
        starts = [i for i, line in enumerate(lines) if line.startswith("[")]
        start = draw(st.sampled_from(starts))
        end = next((i for i in starts if i > start), len(lines))
        lines += lines[start:end]
    elif action == "nest":
        assignments = [i for i, line in enumerate(lines) if " = " in line and line[0] != "#"]
        i = draw(st.sampled_from(assignments))
        depth = draw(st.integers(1, 5000))
        lines[i] = lines[i].split(" = ")[0] + " = " + "[" * depth + "1" + "]" * depth
    elif action == "truncate":
        lines = lines[: draw(st.integers(0, len(lines)))]
    text = "\n".join(lines) + "\n"
    if action == "encoding":
        bom = draw(st.sampled_from([b"", codecs.BOM_UTF8]))
        encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1"]))
        return bom + text.encode(encoding, errors="replace")
    return text.encode("utf-8")


files = st.one_of(
    st.binary(max_size=400),
    st.binary(max_size=200).map(lambda data: codecs.BOM_UTF8 + data),
    mutated_texts(),
    mutated_documents().map(lambda document: to_toml(document).encode("utf-8")),
    st.dictionaries(keys, values, max_size=8).map(lambda d: to_toml(d).encode("utf-8")),
    st.text(max_size=300).map(lambda text: text.encode("utf-8")),
)


# --- the checks -----------------------------------------------------------------------------------


def outcome(source: Any) -> Scenario | ScenarioError:
    """Load ``source`` (data root: the repository); anything but a Scenario or a ScenarioError
    propagates and fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # would be a stray line on stderr
        warnings.simplefilter("ignore", ScenarioWarning)
        try:
            scenario = load_scenario(source, root=REPO)
        except ScenarioError as exc:
            event(f"{len(exc.problems)} problems" if exc.problems else exc.message[:40])
            return exc
    event("a Scenario")
    return scenario


def check_error(error: ScenarioError, path: Path | None) -> None:
    """A ScenarioError names its file, says something, and keeps every problem on one line."""
    text = str(error)
    if path is not None:
        assert error.path == str(path)
        assert text.startswith(f"{path}: ")
    assert error.message.strip()
    assert "(0 problems)" not in text
    assert len(error.message.splitlines()) == 1
    for problem in error.problems:
        assert problem.where.strip()
        for part in (problem.where, problem.message, problem.fix):
            assert len(part.splitlines()) <= 1, part


@bounded()
@given(
    document=st.one_of(
        mutated_documents(),
        st.dictionaries(keys, values, max_size=8),
        st.dictionaries(st.one_of(keys, st.integers()), values, max_size=4),  # not from TOML
    )
)
def test_any_document_gives_a_scenario_or_a_scenario_error(document):
    result = outcome(document)
    if isinstance(result, ScenarioError):
        check_error(result, None)
    else:
        assert isinstance(result, Scenario)


@bounded()
@given(data=files)
def test_any_file_gives_a_scenario_or_a_scenario_error(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.toml"
        path.write_bytes(data)
        result = outcome(path)
    if isinstance(result, ScenarioError):
        check_error(result, path)
    else:
        assert isinstance(result, Scenario)


def run_cli(*args: str) -> tuple[int, str, str]:
    """``atlas ARGS`` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(args))
    return status, out.getvalue(), err.getvalue()


@bounded(share=0.25)
@given(data=files)
def test_plume_on_a_bad_file_prints_one_error_line_and_writes_nothing(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.toml"
        path.write_bytes(data)
        expected = outcome(path)
        if isinstance(expected, Scenario):
            return  # valid: the plume solve is not fuzzed (too slow); bad files are
        out = Path(folder) / "out"
        status, stdout, stderr = run_cli("plume", str(path), "--out", str(out), "--root", str(REPO))
        assert not out.exists()
    assert status == 1
    assert stdout == ""
    lines = stderr.split("\n")
    assert lines[-1] == ""
    assert [line.startswith("atlas: error: ") for line in lines[:-1]] == [True] + [False] * (
        len(lines) - 2
    )
    assert lines[0].startswith(f"atlas: error: {path}: ")
    assert all(line.startswith("    - ") for line in lines[1:-1])
    assert len(stderr.splitlines()) == len(lines) - 1  # no other line break (U+2028...)
    for problem in expected.problems:
        assert problem.where in stderr
