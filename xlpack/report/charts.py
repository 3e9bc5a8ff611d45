"""Charts for the overview report: matplotlib (Agg), PNG bytes, the same bytes every run.

No pyplot and no global state: each chart is its own Figure on an Agg
canvas. PNGs carry no software name or timestamp, and the font is fixed
(Carlito, metric twin of Calibri, where installed; else DejaVu Sans, which
ships with matplotlib), so the report's pictures are deterministic.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

DPI = 150
WIDTH_IN = 6.5
TEXT = "#262626"
GRID = "#D9D9D9"
GOOD_COLOUR = "#1B7837"
BAD_COLOUR = "#B2182B"
BEFORE_COLOUR = "#9DB3D6"
AFTER_COLOUR = "#1F3864"


@dataclass(frozen=True)
class Series:
    """One grade of a stacked chart: its label, colour and a count per bar."""

    label: str
    colour: str
    values: Sequence[int]


@lru_cache(maxsize=1)
def chart_font() -> str:
    for family in ("Carlito", "Calibri"):
        try:
            font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            return family
        except ValueError:
            continue
    return "DejaVu Sans"


def _figure(height_in: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    return fig, ax


def _style(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(colors=TEXT, labelsize=8)
    ax.set_axisbelow(True)
    ax.grid(axis="x", color=GRID, linewidth=0.6)


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white", bbox_inches="tight",
                pad_inches=0.08)
    return buf.getvalue()


def _rc() -> dict[Any, Any]:
    return {"font.family": chart_font(), "font.size": 8, "text.color": TEXT, "axes.labelcolor": TEXT,
            "svg.hashsalt": "xlpack", "path.simplify": True}


def _height(bars: float) -> float:
    return max(2.0, 0.8 + 0.3 * bars)


def stacked_shares(keys: Sequence[str], series: Sequence[Series], *, xlabel: str) -> bytes:
    """100% stacked horizontal bars, first key at the top, with n= at each bar's end."""
    with rc_context(_rc()):
        fig, ax = _figure(_height(len(keys)))
        totals = [sum(s.values[i] for s in series) for i in range(len(keys))]
        positions = list(range(len(keys)))[::-1]
        left = [0.0] * len(keys)
        for s in series:
            shares = [(v / t if t else 0.0) for v, t in zip(s.values, totals)]
            ax.barh(positions, shares, left=left, color=s.colour, edgecolor="white", linewidth=0.6,
                    label=s.label, height=0.7)
            for i, (share, start) in enumerate(zip(shares, left)):
                if share >= 0.08:
                    ax.text(start + share / 2, positions[i], f"{share:.0%}", ha="center", va="center",
                            fontsize=7, color=_ink(s.colour))
            left = [a + b for a, b in zip(left, shares)]
        for i, total in enumerate(totals):
            ax.text(1.01, positions[i], f"n={total}", va="center", fontsize=7, color=TEXT)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(xlabel)
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series), frameon=False, fontsize=8)
        fig.tight_layout()
        return _png(fig)


def diverging_shares(keys: Sequence[str], good: Sequence[float | None], bad: Sequence[float | None], *,
                     good_label: str, bad_label: str) -> bytes:
    """Share Good or better to the right, share Inadequate to the left; first key at the top."""
    with rc_context(_rc()):
        fig, ax = _figure(_height(len(keys)))
        positions = list(range(len(keys)))[::-1]
        g = [x or 0.0 for x in good]
        b = [-(x or 0.0) for x in bad]
        ax.barh(positions, g, color=GOOD_COLOUR, height=0.7, label=good_label)
        ax.barh(positions, b, color=BAD_COLOUR, height=0.7, label=bad_label)
        for pos, gv, bv in zip(positions, g, b):
            ax.text(gv + 0.01, pos, f"{gv:.0%}", va="center", fontsize=7)
            if bv:
                ax.text(bv - 0.01, pos, f"{-bv:.0%}", va="center", ha="right", fontsize=7)
        ax.axvline(0, color=TEXT, linewidth=0.8)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_xlim(-1.1, 1.1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0%", "50%", "100%"])
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        fig.tight_layout()
        return _png(fig)


def before_after(keys: Sequence[str], before: Sequence[float | None], after: Sequence[float | None], *,
                 measure: str, labels: tuple[str, str] = ("as returned", "after moderation")) -> bytes:
    """Paired bars: a share before and after (as returned and after moderation, unless ``labels`` say otherwise)."""
    with rc_context(_rc()):
        fig, ax = _figure(_height(len(keys) * 1.4))
        positions = [i * 1.0 for i in range(len(keys))][::-1]
        ax.barh([p + 0.18 for p in positions], [x or 0.0 for x in before], height=0.34, color=BEFORE_COLOUR,
                label=f"{measure}, {labels[0]}")
        ax.barh([p - 0.18 for p in positions], [x or 0.0 for x in after], height=0.34, color=AFTER_COLOUR,
                label=f"{measure}, {labels[1]}")
        for p, bv, av in zip(positions, before, after):
            ax.text((bv or 0) + 0.01, p + 0.18, f"{(bv or 0):.0%}", va="center", fontsize=7)
            ax.text((av or 0) + 0.01, p - 0.18, f"{(av or 0):.0%}", va="center", fontsize=7)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_xlim(0, 1.1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        fig.tight_layout()
        return _png(fig)


def _ink(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#FFFFFF"
