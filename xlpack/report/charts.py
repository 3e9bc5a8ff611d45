"""Charts for the overview report: matplotlib (Agg), PNG bytes, the same bytes every run.

No pyplot and no global state: each chart is its own Figure on an Agg
canvas. PNGs carry no software name or timestamp, and the font is fixed
(Carlito, metric twin of Calibri, where installed; else DejaVu Sans, which
ships with matplotlib), so the report's pictures are deterministic.

Speed: a chart is drawn once. Its margins are worked out from the size of
its labels (a text measurement, not a drawing), so neither tight_layout nor
savefig's bbox_inches="tight" (each a further full draw) is needed. The
percentages on the bars are written by :func:`xlpack.analysis.pivots.share_percent`,
as in the tables.
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
from matplotlib.transforms import blended_transform_factory

from xlpack.analysis.pivots import count_text, share_percent

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
    values: Sequence[float]


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
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_axisbelow(True)
    ax.grid(axis="x", color=GRID, linewidth=0.6)


def _wrap(label: str, width: int = 38) -> str:
    return "\n".join(textwrap.wrap(label, width, break_on_hyphens=False)) or label


def _margins(fig: Figure, ax: Axes, *, top_in: float, bottom_in: float, right_in: float) -> None:
    """Room for the y labels (measured), the legend above, the x axis below and the n= labels at the right."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    widest = max((t.get_window_extent(renderer).width for t in ax.get_yticklabels()), default=0.0)
    left_in = widest / fig.dpi + 0.16
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left_in / width, right=1 - right_in / width, top=1 - top_in / height,
                        bottom=bottom_in / height)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def _rc() -> dict[Any, Any]:
    # no_hinting: a quarter faster to draw (FreeType skips the font's hinting programs), and smooth at 150 dpi
    return {"font.family": chart_font(), "font.size": 8, "text.color": TEXT, "axes.labelcolor": TEXT,
            "svg.hashsalt": "xlpack", "path.simplify": True, "text.hinting": "no_hinting"}


def _height(bars: float) -> float:
    return max(2.0, 0.7 + 0.25 * bars)


def _stacked_bars(ax: Axes, positions: Sequence[float], series: Sequence[Series], height: float = 0.7) -> list[float]:
    """100% stacked bars at ``positions`` (one value of each series per bar), shares written on the wider
    segments; the totals."""
    totals = [sum(s.values[i] for s in series) for i in range(len(positions))]
    left = [0.0] * len(positions)
    for s in series:
        shares = [(v / t if t else 0.0) for v, t in zip(s.values, totals)]
        ax.barh(positions, shares, left=left, color=s.colour, edgecolor="white", linewidth=0.6, label=s.label,
                height=height)
        for i, (share, start) in enumerate(zip(shares, left)):
            if share >= 0.08:
                ax.text(start + share / 2, positions[i], share_percent(s.values[i], totals[i]), ha="center",
                        va="center", fontsize=7, color=_ink(s.colour))
        left = [a + b for a, b in zip(left, shares)]
    for pos, total in zip(positions, totals):
        ax.text(1.01, pos, f"n={count_text(total)}", va="center", fontsize=7, color=TEXT)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return totals


def stacked_shares(keys: Sequence[str], series: Sequence[Series], *, xlabel: str) -> bytes:
    """100% stacked horizontal bars, first key at the top, with n= at each bar's end."""
    with rc_context(_rc()):
        fig, ax = _figure(_height(len(keys)))
        positions = list(range(len(keys)))[::-1]
        _stacked_bars(ax, positions, series)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_ylim(-0.6, len(keys) - 0.4)
        ax.set_xlabel(xlabel)
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series), frameon=False, fontsize=8)
        _margins(fig, ax, top_in=0.32, bottom_in=0.48, right_in=0.42)
        return _png(fig)


def diverging_shares(keys: Sequence[str], good: Sequence[float], bad: Sequence[float], graded: Sequence[float], *,
                     good_label: str, bad_label: str) -> bytes:
    """Share Good or better (``good`` of ``graded``) to the right, share Inadequate to the left; first key at the
    top."""
    with rc_context(_rc()):
        fig, ax = _figure(_height(len(keys)))
        positions = list(range(len(keys)))[::-1]
        g = [(x / n if n else 0.0) for x, n in zip(good, graded)]
        b = [-(x / n if n else 0.0) for x, n in zip(bad, graded)]
        ax.barh(positions, g, color=GOOD_COLOUR, height=0.7, label=good_label)
        ax.barh(positions, b, color=BAD_COLOUR, height=0.7, label=bad_label)
        for pos, gv, bv, gn, bn, n in zip(positions, g, b, good, bad, graded):
            ax.text(gv + 0.01, pos, share_percent(gn, n), va="center", fontsize=7)
            if bv:
                ax.text(bv - 0.01, pos, share_percent(bn, n), va="center", ha="right", fontsize=7)
        ax.axvline(0, color=TEXT, linewidth=0.8)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_ylim(-0.6, len(keys) - 0.4)
        ax.set_xlim(-1.1, 1.1)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0%", "50%", "100%"])
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        _margins(fig, ax, top_in=0.32, bottom_in=0.3, right_in=0.12)
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
            ax.text((bv or 0) + 0.01, p + 0.18, share_percent(bv or 0.0), va="center", fontsize=7)
            ax.text((av or 0) + 0.01, p - 0.18, share_percent(av or 0.0), va="center", fontsize=7)
        ax.set_yticks(positions, [_wrap(k) for k in keys])
        ax.set_ylim(-0.6, len(keys) - 0.4)
        ax.set_xlim(0, 1.1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        _style(ax)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        _margins(fig, ax, top_in=0.32, bottom_in=0.3, right_in=0.12)
        return _png(fig)


def grades_before_after(keys: Sequence[str], before: Sequence[Series], after: Sequence[Series], *,
                        when: tuple[str, str] = ("As returned", "After moderation")) -> bytes:
    """For each key (first at the top), the whole grade distribution as returned and after moderation: two
    100% stacked bars under the key's name. ``before`` and ``after`` hold the same grades, one value per key."""
    with rc_context(_rc()):
        pair, gap = 2, 1.1  # two bars, then room for the next key's name
        fig, ax = _figure(_height(len(keys) * (pair + gap) * 0.85))
        positions: list[float] = []
        labels: list[str] = []
        top = len(keys) * (pair + gap)
        for i, _ in enumerate(keys):
            first = top - gap - i * (pair + gap)
            positions += [first, first - 1]
            labels += list(when)
        series = [Series(b.label, b.colour, [v for i in range(len(keys)) for v in (b.values[i], a.values[i])])
                  for b, a in zip(before, after)]
        _stacked_bars(ax, positions, series, height=0.72)
        names = blended_transform_factory(fig.transFigure, ax.transData)  # x from the figure's left edge
        for i, key in enumerate(keys):
            ax.text(0.01, positions[2 * i] + 0.55, key, transform=names, ha="left", va="bottom", fontsize=8,
                    fontweight="bold", color=TEXT)
        ax.set_yticks(positions, labels)
        ax.set_ylim(min(positions) - 0.6, top + 0.1)
        ax.set_xlabel("Share of graded answers")
        _style(ax)
        ax.spines["left"].set_visible(False)  # the names run across where it would be
        ax.tick_params(axis="y", length=0)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series), frameon=False, fontsize=8)
        _margins(fig, ax, top_in=0.32, bottom_in=0.48, right_in=0.42)
        return _png(fig)


def _ink(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill``."""
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "#FFFFFF"
