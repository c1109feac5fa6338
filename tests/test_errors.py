"""Error messages name the file, every problem, and the fix."""

from atlas.errors import AtlasError, LayerError, Problem, ScenarioError


def test_message_starts_with_the_path():
    err = LayerError("column 'lat' is missing; add it", path="layers/sites.csv")
    assert str(err) == "layers/sites.csv: column 'lat' is missing; add it"
    assert isinstance(err, ValueError)


def test_every_problem_is_listed_on_its_own_line():
    err = ScenarioError(
        "2 problems",
        path="s.toml",
        problems=[
            Problem("aquifer.effective_porosity", "1.4 is outside (0, 1]", "use e.g. 0.25"),
            Problem("grid.cell_size_m", "missing"),
        ],
    )
    lines = str(err).splitlines()
    assert lines == [
        "s.toml: 2 problems",
        "  - aquifer.effective_porosity: 1.4 is outside (0, 1]; use e.g. 0.25",
        "  - grid.cell_size_m: missing",
    ]
    assert isinstance(err, AtlasError)
    assert len(err.problems) == 2
