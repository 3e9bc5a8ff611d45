"""Consistency flags: the checks the coordinator needs before the follow-up meeting.

Each rule is one small module with a ``RULE``; add a module and list it in
:data:`RULES` to add a rule. :func:`find_flags` runs them all and sorts
the flags urgent first.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.analysis.flags import (
    all_no_evidence,
    auditor_pair,
    divergence,
    duplicates,
    information_sharing,
    involvement,
    no_evidence,
    no_grade,
    overall,
    returns,
    safeguarded,
    views_check,
)
from xlpack.analysis.flags.base import SEVERITY_ORDER, FlagContext, Rule, flag_id
from xlpack.model.records import FlagRow

RULES: tuple[Rule, ...] = (
    safeguarded.RULE,
    involvement.RULE,
    divergence.RULE,
    auditor_pair.RULE,
    information_sharing.RULE,
    overall.RULE,
    no_evidence.RULE,
    no_grade.RULE,
    all_no_evidence.RULE,
    returns.RULE,
    duplicates.RULE,
    views_check.RULE,
)

__all__ = ["RULES", "FlagContext", "Rule", "find_flags", "flag_id", "rule_by_name", "sort_flags"]


def rule_by_name(name: str) -> Rule | None:
    for rule in RULES:
        if name in (rule.name, rule.title, rule.code):
            return rule
    return None


def sort_flags(flags: Sequence[FlagRow], ctx: FlagContext | None = None) -> list[FlagRow]:
    """Urgent first; then case, section order, rule order, id."""
    rule_order = {r.name: i for i, r in enumerate(RULES)}

    def key(f: FlagRow) -> tuple:
        order = ctx.section_order(f.section_id) if ctx and f.section_id else 0
        return (SEVERITY_ORDER.get(f.severity, 9), f.case_ref.casefold(), order, rule_order.get(f.rule, 99),
                f.flag_id)

    return sorted(flags, key=key)


def find_flags(ctx: FlagContext, rules: Sequence[Rule] = RULES) -> list[FlagRow]:
    """Every flag of every rule, urgent first; one flag per id."""
    seen: dict[str, FlagRow] = {}
    for rule in rules:
        for f in rule.check(ctx):
            seen.setdefault(f.flag_id, f)
    return sort_flags(list(seen.values()), ctx)
