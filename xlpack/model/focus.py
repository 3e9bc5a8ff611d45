"""Focused audits: an audit that asks about some of its tool's sections only.

The guidance describes audits that drill into one area (core group working,
say) without completing the tool in full. The coordinator names the sections
on the Terms of reference sheet (or ``xlpack init --sections``); the plan then
holds the tool cut down to those sections, in the tool's order, and keeps the
whole tool beside it, so the workbook can be widened again and a comparison
can say which sections a focused audit left out. Section ids are kept, so a
focused re-audit compares with a full baseline on the sections they share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from xlpack.model.definitions import ToolDefinition

#: What separates section names typed in one cell: new lines and semicolons (titles may hold commas).
_SEPARATORS = re.compile(r"[\n\r;]+")


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def match_sections(names: Iterable[str], tool: ToolDefinition) -> tuple[list[str], list[str]]:
    """The ids of the sections named (by id or title, any case), in the tool's order, and the names not found.

    A name that matches no section whole is tried as a comma-separated list of names, so that ``a, b`` and a
    title holding a comma both work.
    """
    by_name = {_fold(s.id): s.id for s in tool.sections} | {_fold(s.title): s.id for s in tool.sections}
    found: set[str] = set()
    unknown: list[str] = []
    for name in names:
        key = _fold(name)
        if not key:
            continue
        if key in by_name:
            found.add(by_name[key])
            continue
        parts = [_fold(p) for p in name.split(",") if p.strip()]
        if len(parts) > 1 and all(p in by_name for p in parts):
            found.update(by_name[p] for p in parts)
        else:
            unknown.append(" ".join(name.split()))
    return [s.id for s in tool.sections if s.id in found], unknown


def parse_sections(text: str, tool: ToolDefinition) -> tuple[list[str], list[str]]:
    """The section ids a Terms of reference cell names (one per line, or separated by ';'), and names not found."""
    return match_sections(_SEPARATORS.split(text or ""), tool)


def focus_tool(tool: ToolDefinition, section_ids: Iterable[str]) -> ToolDefinition:
    """``tool`` with only the sections named, in its own order (the whole tool when none is named)."""
    keep = set(section_ids)
    if not keep:
        return tool
    return tool.model_copy(update={"sections": tuple(s for s in tool.sections if s.id in keep)})


def sections_text(tool: ToolDefinition) -> str:
    """How the Terms of reference sheet lists the sections audited: their titles, one per line."""
    return "\n".join(s.title for s in tool.sections)


def left_out(whole: ToolDefinition, audited: ToolDefinition) -> list[str]:
    """Titles of the sections of ``whole`` that ``audited`` does not ask about, in the tool's order."""
    asked = {s.id for s in audited.sections}
    return [s.title for s in whole.sections if s.id not in asked]
