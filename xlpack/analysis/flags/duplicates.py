"""A form returned more than once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule
from xlpack.model.records import FlagRow, ReturnRow


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    copies: dict[str, list[ReturnRow]] = defaultdict(list)
    for r in ctx.returns:
        if r.form_id and r.source:
            copies[r.form_id].append(r)
    for rows in copies.values():
        if len({r.source for r in rows}) < 2:
            continue
        used = next((r for r in rows if r.status in ("accepted", "accepted_with_warnings")), None)
        first = used or rows[0]
        files = ", ".join(sorted({r.source for r in rows}))
        yield flag_for(first, len(rows), files, used is not None)


def flag_for(r: ReturnRow, count: int, files: str, used: bool) -> FlagRow:
    which = (f"the newest copy ({r.source}) is used" if used else "no copy was accepted")
    return RULE.flag(about=[r.form_id], severity="low", case_ref=r.case_ref, agencies=[r.agency], cells=files,
                     message=f"The form of {r.agency} ({r.auditor}) came back {count} times; {which}. "
                             "Check that no later change was lost.")


RULE = Rule("DUP", "returned_twice", "Form returned more than once",
            "The same issued form came back in more than one file; only the newest accepted copy is used.", check)
