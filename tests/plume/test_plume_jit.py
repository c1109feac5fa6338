"""numba's cache is kept per version of the numerics' source, so a change is never stale."""

from __future__ import annotations

import os

import numba
import pytest

import atlas.plume
from atlas.plume import jit


@pytest.mark.skipif("NUMBA_CACHE_DIR" in os.environ, reason="the user's cache folder is kept")
def test_kernels_are_cached_in_a_folder_named_by_the_source_hash():
    assert atlas.plume.simulate is not None
    assert str(jit.cache_dir()) == numba.config.CACHE_DIR
    assert jit.cache_dir().name == jit.source_sha256()[:16]


def test_the_folder_changes_with_any_module_of_the_package(monkeypatch, tmp_path):
    before = jit.cache_dir()
    monkeypatch.setattr(jit, "source_sha256", lambda: "f" * 64)
    assert jit.cache_dir() != before
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert jit.cache_dir() == tmp_path / "atlas" / "numba" / ("f" * 16)
