"""What a curated site's page says: which sites get a page, their commodities, the
export-control timeline of those commodities, and the site's data to download.

Plain text and plain data only; the page templates escape it. Every fact keeps its source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from atlas.publish.site.features import located
from atlas.publish.site.popups import text_of
from atlas.screening import REFERENCE_KINDS

__all__ = [
    "COMMODITY_GROUPS",
    "EXPORT_CONTROL",
    "CommodityGroup",
    "TimelineEntry",
    "commodity_groups",
    "export_control_timeline",
    "nearby",
    "paged_sites",
]

EXPORT_CONTROL = "export control"
"""The ``topic`` of the context facts that form the export-control timeline."""


@dataclass(frozen=True)
class CommodityGroup:
    """A commodity as sites and context facts name it.

    Parameters
    ----------
    name : str
        The group's name.
    symbols : tuple of str
        Element symbols and abbreviations, matched as whole words, case as written.
    words : tuple of str
        Words matched anywhere in any case.
    """

    name: str
    symbols: tuple[str, ...]
    words: tuple[str, ...]

    def named_in(self, text: str) -> bool:
        """True when ``text`` names this commodity."""
        tokens = set(re.findall(r"[A-Za-z]+", text))
        lower = text.lower()
        return bool(tokens & set(self.symbols)) or any(word in lower for word in self.words)


COMMODITY_GROUPS: tuple[CommodityGroup, ...] = (
    CommodityGroup(
        "rare earths",
        (
            *("REE", "HREE", "LREE", "NdPr", "NdFeB"),
            *("La", "Ce", "Pr", "Nd", "Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"),
        ),
        ("rare earth", "rare-earth"),
    ),
    CommodityGroup("antimony", ("Sb",), ("antimony",)),
    CommodityGroup("tungsten", ("W",), ("tungsten",)),
    CommodityGroup("germanium", ("Ge",), ("germanium",)),
    CommodityGroup("silver", ("Ag",), ("silver",)),
)
"""The commodities an export-control step can be about."""


def commodity_groups(commodity: object) -> frozenset[str]:
    """The names of the :data:`COMMODITY_GROUPS` a commodity text names: a site's
    (``"REE;Fe;Nb;Th"``) or a context fact's (``"silver, antimony, tungsten"``)."""
    text = text_of(commodity)
    if text is None:
        return frozenset()
    return frozenset(group.name for group in COMMODITY_GROUPS if group.named_in(text))


def paged_sites(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The curated sites that get a page: located, and not a reference town or city."""
    rows = located(sites)
    kinds = rows["kind"].fillna("").astype(str) if "kind" in rows else pd.Series("", rows.index)
    return rows[~kinds.str.contains(REFERENCE_KINDS, regex=True)]


@dataclass(frozen=True)
class TimelineEntry:
    """One export-control step: when, what, its figure (if any) and its source."""

    date: str
    statement: str
    figure: str | None
    source: str


def _figure(row: Mapping[Any, Any]) -> str | None:
    value, unit = text_of(row.get("value")), text_of(row.get("unit"))
    if value is None or (unit or "").startswith("date"):
        return None
    return f"{value} {unit}" if unit else value


def _source(row: Mapping[Any, Any]) -> str:
    source = text_of(row.get("source")) or "(no source given)"
    cites = text_of(row.get("source_cites"))
    return f"{source}, citing {cites}" if cites else source


def export_control_timeline(
    facts: pd.DataFrame, groups: Iterable[str]
) -> tuple[TimelineEntry, ...]:
    """The export-control facts on any of the commodity ``groups``, oldest first.

    Parameters
    ----------
    facts : pandas.DataFrame
        The context facts table (``layers/context_facts.csv``).
    groups : iterable of str
        Commodity groups (:func:`commodity_groups`) of a site.
    """
    wanted = set(groups)
    rows = facts[facts["topic"].fillna("").str.strip().str.lower() == EXPORT_CONTROL]
    entries = [
        TimelineEntry(
            date=text_of(row.get("as_of")) or "undated",
            statement=text_of(row.get("statement")) or "",
            figure=_figure(row),
            source=_source(row),
        )
        for row in rows.to_dict("records")
        if wanted & commodity_groups(row.get("commodity"))
    ]
    return tuple(sorted(entries, key=lambda entry: (entry.date, entry.statement)))


def nearby(frame: gpd.GeoDataFrame, window: shapely.Geometry) -> gpd.GeoDataFrame:
    """The located rows of ``frame`` that intersect ``window`` (EPSG:4326 degrees)."""
    rows = located(frame)
    return rows[rows.geometry.intersects(window)]
