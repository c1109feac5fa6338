"""Every site as compact data: one array per site, shared values once, screening when given."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from site_layers import XSS_NAME

from atlas.errors import CRSPolicyError
from atlas.publish.site.site_table import (
    COLUMNS,
    DATA_FILE,
    SCREENING_COLUMNS,
    site_data,
    write_site_data,
)
from atlas.screening import HORIZONS_YR, SCREENING_LABEL


def records(data: dict) -> list[dict]:
    """The rows of ``data`` as mappings, shared values looked up (what atlas.js does)."""
    keys = [column["key"] for column in data["columns"]]
    out = []
    for row in data["rows"]:
        record = {}
        for key, value in zip(keys, row, strict=True):
            shared = data["shared"].get(key)
            record[key] = shared[value] if shared is not None and value is not None else value
        out.append(record)
    return out


def test_every_site_is_one_array_curated_first_then_every_usgs_record(layers):
    data = site_data(layers.usgs_sites, layers.sites)
    assert [c["key"] for c in data["columns"]] == [c.key for c in COLUMNS]
    assert len(data["rows"]) == len(layers.sites) + len(layers.usgs_sites)
    assert all(isinstance(row, list) and len(row) == len(COLUMNS) for row in data["rows"])
    rows = records(data)
    groups = [row["group"] for row in rows]
    assert groups == [data["curated"]] * len(layers.sites) + [data["usgs"]] * len(layers.usgs_sites)
    assert data["modelled"] is None


def test_values_stay_plain_text_and_unlocated_sites_have_no_coordinate(layers):
    rows = records(site_data(layers.usgs_sites, layers.sites))
    by_name = {row["name"]: row for row in rows}
    assert by_name[XSS_NAME]["commodity"] == "<img src=x onerror=alert(2)>"
    assert by_name["Sulphide <Hill>"]["group"] == "USGS record"
    unlocated = [row for row in rows if row["lon"] is None]
    assert unlocated
    assert all(row["lat"] is None for row in unlocated)


def test_a_deposit_model_number_is_named_not_shown_as_a_type(layers):
    usgs = layers.usgs_sites.iloc[:3].copy()
    usgs["deposit_type"] = ["10,Carbonatite REE,Carbonatite niobium", "Ion adsorption REE", "10"]
    kinds = {row["name"]: row["kind"] for row in records(site_data(usgs, layers.sites))}
    assert [kinds[name] for name in usgs["site_name"]] == [
        "Carbonatite REE, Carbonatite niobium; USGS deposit model 10",
        "Ion adsorption REE",
        "USGS deposit model 10",
    ]


def test_repeated_values_are_stored_once(layers):
    data = site_data(layers.usgs_sites, layers.sites)
    for key, values in data["shared"].items():
        assert values == sorted(set(values)), key
    place = [c["key"] for c in data["columns"]].index("place")
    assert all(isinstance(row[place], int | type(None)) for row in data["rows"])


def test_coordinates_are_rounded_to_four_decimals(layers):
    rows = records(site_data(layers.usgs_sites, layers.sites))
    bayan = next(row for row in rows if row["name"] == "Bayan Obo")
    assert (bayan["lon"], bayan["lat"]) == (109.9744, 41.7992)


def test_a_screening_adds_its_columns_matched_on_the_site_id(layers):
    usgs = layers.usgs_sites
    first, second = usgs.iloc[0], usgs.iloc[1]
    screening = gpd.GeoDataFrame(
        {
            "site_id": [
                f"{first['source_id']}#{first['record_id']}",
                "sites.csv:Bayan Obo",
                f"{second['source_id']}#{second['record_id']}",
            ],
            "nearest_water_name": ["Huang", None, None],
            "nearest_water_kind": ["river", None, "alkaline_lake"],
            "distance_m": [12_345.0, np.nan, 2_000.0],
            **{f"p_reach_{h}yr": [0.1234, np.nan, 0.5] for h in HORIZONS_YR},
        }
    )
    data = site_data(usgs, layers.sites, screening=screening)
    assert [c["key"] for c in data["columns"]][-len(SCREENING_COLUMNS) :] == [
        c.key for c in SCREENING_COLUMNS
    ]
    assert data["modelled"] == SCREENING_LABEL
    rows = records(data)
    record = next(row for row in rows if row["record"] == first["record_id"])
    assert (record["water"], record["water_km"], record["p50"]) == ("Huang", 12.3, 0.123)
    unnamed = next(row for row in rows if row["record"] == second["record_id"])
    assert (unnamed["water"], unnamed["water_km"]) == ("unnamed alkaline lake", 2.0)
    bayan = next(row for row in rows if row["name"] == "Bayan Obo")
    assert (bayan["water"], bayan["water_km"], bayan["p100"]) == (None, None, None)
    unscreened = next(row for row in rows if row["name"] == "Mountain Pass")
    assert unscreened["p500"] is None


def test_curated_sites_link_their_page(layers):
    pages = {"Bayan Obo": "sites/bayan-obo/index.html"}
    rows = records(site_data(layers.usgs_sites, layers.sites, pages=pages))
    assert {row["name"]: row["page"] for row in rows if row["page"]} == pages


def test_the_data_file_is_one_assignment_of_json_and_deterministic(tmp_path, layers):
    data = site_data(layers.usgs_sites, layers.sites)
    path = write_site_data(tmp_path, data)
    assert path == tmp_path / DATA_FILE
    text = path.read_text(encoding="utf-8")
    assert text.startswith("window.atlasSites = ")
    assert text.endswith(";\n")
    assert json.loads(text.removeprefix("window.atlasSites = ").removesuffix(";\n")) == data
    again = write_site_data(tmp_path / "b", site_data(layers.usgs_sites, layers.sites))
    assert again.read_bytes() == path.read_bytes()


def test_layers_in_another_crs_are_refused(layers):
    with pytest.raises(CRSPolicyError, match="usgs_sites"):
        site_data(layers.usgs_sites.to_crs(3857), layers.sites)
