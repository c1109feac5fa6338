"""How curated sites are drawn: one symbol (shape, fill, outline) per group of site kinds.

Every symbol differs in *shape* as well as colour, so the map does not rely on colour alone.
Fills come from the Okabe-Ito palette (safe for the common colour-vision deficiencies) and
every symbol has a dark outline, which keeps a contrast of at least 3:1 against both the
light land fill and the blue sea of the offline basemap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from atlas.publish.site.popups import text_of
from atlas.publish.site.templates import macro

__all__ = ["SHAPES", "SYMBOLS", "Symbol", "legend_html", "symbol_for_kind", "symbol_svg"]


@dataclass(frozen=True)
class Symbol:
    """How one group of site kinds is drawn and named in the legend.

    Parameters
    ----------
    key : str
        Stable identifier, used in the page data and CSS.
    label : str
        Legend text.
    shape : str
        One of ``"triangle"``, ``"square"``, ``"diamond"``, ``"circle"``, ``"ring"``,
        ``"cross"``.
    fill : str
        Fill colour, ``#rrggbb``.
    kinds : tuple of str
        The ``kind`` values (lower case) drawn with this symbol.
    """

    key: str
    label: str
    shape: str
    fill: str
    kinds: tuple[str, ...]


OUTLINE = "#1a1a1a"
"""Outline colour of every site symbol."""

SYMBOLS: tuple[Symbol, ...] = (
    Symbol("mine", "Mine", "triangle", "#D55E00", ("mine", "mine / pilot plant")),
    Symbol(
        "tailings",
        "Tailings pond or evaporation ponds",
        "square",
        "#0072B2",
        ("tailings pond", "playa / evaporation ponds"),
    ),
    Symbol(
        "processing",
        "Processing or magnet plant",
        "diamond",
        "#CC79A7",
        ("processing plant", "magnet plant"),
    ),
    Symbol(
        "deposit",
        "Deposit, project or mining district",
        "circle",
        "#E69F00",
        ("deposit", "deposit / project", "mining district"),
    ),
    Symbol(
        "settlement",
        "Town or city (for orientation)",
        "ring",
        "#FFFFFF",
        ("city", "town", "city (reference)", "town (reference)"),
    ),
)

OTHER = Symbol("other", "Other kind of site", "cross", "#999999", ())
"""Symbol of any kind not listed in :data:`SYMBOLS`."""

_BY_KIND = {kind: symbol for symbol in SYMBOLS for kind in symbol.kinds}

SHAPES = ("triangle", "square", "diamond", "circle", "ring", "cross")
"""The shapes ``templates/symbol.svg`` draws."""


def symbol_for_kind(kind: object) -> Symbol:
    """Return the symbol of a site ``kind`` (case and surrounding blanks ignored).

    Unknown or missing kinds get :data:`OTHER`, so a new kind is drawn, never dropped.
    """
    if not isinstance(kind, str):
        return OTHER
    return _BY_KIND.get(kind.strip().lower(), OTHER)


def symbol_svg(symbol: Symbol, size_px: int = 20) -> Markup:
    """Inline SVG markup of a symbol, ``size_px`` pixels square, hidden from screen readers.

    Drawn by ``templates/symbol.svg``; the markup holds no text from the data, only the fixed
    shape and colours.

    Raises
    ------
    ValueError
        When the symbol's shape is not one of :data:`SHAPES`.
    """
    if symbol.shape not in SHAPES:
        raise ValueError(f"symbol {symbol.key!r}: shape {symbol.shape!r} is not one of {SHAPES}")
    return macro(
        "symbol.svg",
        "symbol",
        shape=symbol.shape,
        fill=symbol.fill,
        stroke=OUTLINE,
        stroke_width=3 if symbol.shape == "ring" else 1.5,
        size_px=size_px,
    )


@dataclass(frozen=True)
class _Entry:
    """One entry of the legend: the symbol's key, label and icon, and the kinds it covers."""

    key: str
    label: str
    icon: Markup
    kinds: str


def legend_html(kinds: Iterable[object]) -> Markup:
    """A legend (``<ul>``) of the symbols used by ``kinds``, in the fixed order of :data:`SYMBOLS`.

    Each entry shows the symbol, its label and the kinds it stands for, all HTML-escaped
    (``templates/legend.html``).
    """
    kinds = list(kinds)
    present = {symbol_for_kind(kind) for kind in kinds}
    entries = []
    for symbol in (*SYMBOLS, OTHER):
        if symbol not in present:
            continue
        named = (text_of(k) for k in kinds if symbol_for_kind(k) is symbol)
        covered = sorted({name for name in named if name})
        entries.append(_Entry(symbol.key, symbol.label, symbol_svg(symbol), ", ".join(covered)))
    return macro("legend.html", "legend", entries=entries)
