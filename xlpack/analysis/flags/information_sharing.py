"""Information sharing graded Good or better by one agency while another says it received nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, excerpt, section_cells
from xlpack.model.definitions import good_or_better
from xlpack.model.records import FlagRow, FormReturn, SectionAnswer

#: Sections about information sharing (ids as in the tool definitions).
SECTION_IDS = ("information_sharing",)
#: Phrases that say an agency received nothing from the others (evidence or areas for development).
RECEIVED_NOTHING = re.compile(
    r"\b(not|never|no)\b[^.;]{0,40}\b(received|shared|informed|invited|told|copied|sent)\b"
    r"|\bnothing\b[^.;]{0,25}\b(received|shared|sent)\b|\bno (information|minutes|reports?|feedback)\b",
    re.IGNORECASE)


def received_nothing(a: SectionAnswer) -> bool:
    """The agency's own answer says it got nothing: graded Inadequate, No evidence, or says so in words."""
    return why_nothing(a) is not None


def why_nothing(a: SectionAnswer) -> str | None:
    """What in the answer reads as "received nothing" (shown on the flag, so a false reading can be seen): the
    grade, or the words that matched; None if nothing does."""
    if a.grade_rank is not None and a.grade_rank >= 4:
        return f"graded {a.grade}"
    if (a.grade_code or "").upper() == "NE":
        return f"graded {a.grade or 'No evidence'}"
    found = RECEIVED_NOTHING.search(f"{a.evidence}\n{a.development}")
    return f"the words '{' '.join(found[0].split())}'" if found else None


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for case_ref, forms in ctx.cases():
        for sid in (s for s in ctx.section_ids() if s in SECTION_IDS):
            rows = [(f, f.sections[sid]) for f in forms if sid in f.sections]
            good = [(f, a) for f, a in rows if good_or_better(a.grade_rank)]
            nothing = [(f, a) for f, a in rows if received_nothing(a)]
            good_agencies = {f.agency.casefold() for f, _ in good}
            if not good or not any(f.agency.casefold() not in good_agencies for f, _ in nothing):
                continue
            nothing = [(f, a) for f, a in nothing if f.agency.casefold() not in good_agencies]
            involved: list[FormReturn] = [f for f, _ in good + nothing]
            said = " | ".join(f"{f.agency} ({a.grade or 'no grade'}): {excerpt(a.evidence or a.development, 120)} "
                              f"[read as receiving nothing from {why_nothing(a)}]" for f, a in nothing)
            rated = ", ".join(f"{f.agency} ({a.grade})" for f, a in good)
            yield RULE.flag(about=[case_ref, sid], severity="medium", case_ref=case_ref, section_id=sid,
                            agencies=[f.agency for f in involved], cells=section_cells(involved, sid, "evidence"),
                            message=f"{ctx.section_title(sid)}: rated Good or better by {rated}, while "
                                    f"{'they record' if len(nothing) > 1 else 'another agency records'} receiving "
                                    f"little or nothing. {said}")


RULE = Rule("INFO", "information_sharing_contradiction", "Information sharing seen differently",
            "One agency grades information sharing Good or better while another records it received nothing.", check)
