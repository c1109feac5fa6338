"""Bad model parameters raise ParameterError naming the quantity and its unit."""

import numpy as np
import pytest

from atlas.errors import AtlasError, ParameterError
from atlas.plume import flow
from atlas.plume.checks import unit_of
from atlas.plume.transport import MassRateSource, TransportParameters

GOOD = {
    "effective_porosity": 0.25,
    "thickness_m": 10.0,
    "longitudinal_dispersivity_m": 20.0,
    "transverse_dispersivity_m": 2.0,
}


@pytest.mark.parametrize(
    ("field", "value", "unit"),
    [
        ("effective_porosity", -0.1, "dimensionless"),
        ("thickness_m", 0.0, "(m)"),
        ("longitudinal_dispersivity_m", -5.0, "(m)"),
        ("molecular_diffusion_m2_per_yr", -1.0, "(m^2/yr)"),
        ("half_life_yr", -3.0, "(yr)"),
    ],
)
def test_transport_parameters_name_the_quantity_and_its_unit(field, value, unit):
    with pytest.raises(ParameterError) as raised:
        TransportParameters(**{**GOOD, field: value})
    assert field in str(raised.value)
    assert unit in str(raised.value)


def test_flow_and_source_parameters_raise_parameter_error_with_units():
    k = np.full((3, 4), 5.0)
    fixed = np.full(k.shape, np.nan)
    fixed[:, 0] = 10.0
    with pytest.raises(ParameterError, match=r"thickness_m .*\(m\)"):
        flow.steady_heads(k, -1.0, 10.0, fixed)
    with pytest.raises(ParameterError, match=r"effective_porosity .*dimensionless"):
        flow.darcy_face_velocities(np.zeros(k.shape), k, 1.5, 10.0)
    with pytest.raises(ParameterError, match=r"velocity_m_per_yr .*\(m/yr\)"):
        flow.uniform_face_velocities((3, 4), -2.0, 90.0)
    with pytest.raises(ParameterError, match=r"kg/yr"):
        MassRateSource(np.ones((3, 4), bool), -1.0)


def test_parameter_error_is_still_an_atlas_error_and_a_value_error():
    assert issubclass(ParameterError, AtlasError)
    assert issubclass(ParameterError, ValueError)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("velocity_m_per_yr", "m/yr"),
        ("dispersion_m2_per_yr", "m^2/yr"),
        ("decay_per_yr", "1/yr"),
        ("cell_size_m", "m"),
        ("hydraulic_conductivity_m_per_day", "m/day"),
        ("retardation", "dimensionless"),
    ],
)
def test_units_are_read_from_the_name(name, unit):
    assert unit_of(name) == unit
