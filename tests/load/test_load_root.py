"""find_root: explicit root, then ATLAS_ROOT, then the current directory; clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.errors import DataRootError
from atlas.load import ROOT_ENV_VAR, find_root
from atlas.load.root import locate_root, root_above


def _root(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    (root / "layers").mkdir(parents=True)
    return root


def test_explicit_root_is_used_and_resolved(tmp_path, monkeypatch):
    root = _root(tmp_path, "explicit")
    monkeypatch.setenv(ROOT_ENV_VAR, str(_root(tmp_path, "from_env")))
    monkeypatch.chdir(_root(tmp_path, "cwd"))
    assert find_root(root) == root.resolve()
    assert find_root(str(root)) == root.resolve()


def test_atlas_root_env_is_used_when_no_explicit_root(tmp_path, monkeypatch):
    root = _root(tmp_path, "from_env")
    monkeypatch.setenv(ROOT_ENV_VAR, str(root))
    monkeypatch.chdir(_root(tmp_path, "cwd"))
    assert find_root() == root.resolve()


def test_current_directory_is_used_when_it_holds_layers(tmp_path, monkeypatch):
    root = _root(tmp_path, "cwd")
    monkeypatch.delenv(ROOT_ENV_VAR, raising=False)
    monkeypatch.chdir(root)
    assert find_root() == root.resolve()


def test_no_root_anywhere_says_what_was_looked_at_and_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOT_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataRootError) as caught:
        find_root()
    message = str(caught.value)
    assert str(tmp_path) in message
    assert "--root DIR" in message
    assert ROOT_ENV_VAR in message
    assert "layers/" in message


def test_explicit_root_without_layers_is_an_error_not_a_fallback(tmp_path, monkeypatch):
    monkeypatch.chdir(_root(tmp_path, "cwd"))
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(DataRootError) as caught:
        find_root(bare)
    assert str(bare) in str(caught.value)
    assert "no layers/ folder" in str(caught.value)
    assert "--root DIR" in str(caught.value)


def test_missing_explicit_root_is_named(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DataRootError) as caught:
        find_root(missing)
    assert str(missing) in str(caught.value)
    assert "is not a folder" in str(caught.value)


def test_atlas_root_without_layers_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV_VAR, str(tmp_path))
    monkeypatch.chdir(_root(tmp_path, "cwd"))
    with pytest.raises(DataRootError) as caught:
        find_root()
    assert ROOT_ENV_VAR in str(caught.value)
    assert str(tmp_path) in str(caught.value)


# --- locate_root: the same rule for atlas plume, with the scenario's own root before the cwd ----


def test_locate_root_prefers_the_scenarios_own_root_to_the_current_directory(tmp_path, monkeypatch):
    own = _root(tmp_path, "own")
    (own / "scenarios").mkdir()
    monkeypatch.delenv(ROOT_ENV_VAR, raising=False)
    monkeypatch.chdir(_root(tmp_path, "cwd"))
    assert locate_root(scenario=own / "scenarios" / "x.toml") == own.resolve()
    assert root_above(own / "scenarios" / "x.toml") == own.resolve()


def test_locate_root_falls_back_to_the_current_directory_then_none(tmp_path, monkeypatch):
    monkeypatch.delenv(ROOT_ENV_VAR, raising=False)
    cwd = _root(tmp_path, "cwd")
    monkeypatch.chdir(cwd)
    assert locate_root(scenario=tmp_path / "elsewhere" / "x.toml") == cwd.resolve()
    monkeypatch.chdir(tmp_path)
    assert locate_root(scenario=tmp_path / "elsewhere" / "x.toml") is None
    assert root_above(tmp_path / "elsewhere" / "x.toml") is None


def test_locate_root_puts_explicit_and_atlas_root_before_the_scenarios_root(tmp_path, monkeypatch):
    own = _root(tmp_path, "own")
    scenario = own / "scenarios" / "x.toml"
    from_env = _root(tmp_path, "from_env")
    monkeypatch.setenv(ROOT_ENV_VAR, str(from_env))
    assert locate_root(scenario=scenario) == from_env.resolve()
    explicit = _root(tmp_path, "explicit")
    assert locate_root(explicit, scenario=scenario) == explicit.resolve()
    monkeypatch.setenv(ROOT_ENV_VAR, str(tmp_path / "bare"))
    with pytest.raises(DataRootError, match=ROOT_ENV_VAR):
        locate_root(scenario=scenario)


def test_the_environment_is_read_only_in_load_root():
    """The ATLAS_ROOT rule lives in one place: no other module reads the variable (the CLI
    used to check it itself before calling find_root)."""
    src = Path(__file__).resolve().parents[2] / "src" / "atlas"
    readers = sorted(
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if any(read in path.read_text(encoding="utf-8") for read in ("environ", "getenv"))
        and "ROOT_ENV_VAR" in path.read_text(encoding="utf-8")
    )
    assert readers == ["load/root.py"]
