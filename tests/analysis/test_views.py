"""The child and family views form as conversations: who gave the views, consent, several conversations a case,
dates checked against the draw and the deadline, a very young child's "own" views flagged; the report quotes only
words given with consent."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import docx
import pytest

from tests.analysis.test_flags import run
from tests.report.test_model import fake_audit
from xlpack.analysis.flags import views_check
from xlpack.analysis.views import Conversation, conversations, conversations_of, view_checks
from xlpack.demo.sample import sample_plan
from xlpack.model.plan import AuditPlan, SampleRecord
from xlpack.model.records import FormReturn
from xlpack.report.write import report_bytes

DRAWN, DEADLINE = date(2026, 11, 2), date(2026, 11, 30)


@pytest.fixture(scope="module")
def plan() -> AuditPlan:
    p = sample_plan(cases=2)
    sample = SampleRecord(drawn_on=DRAWN, extract="x.csv", extract_rows=10, reference_column="Case reference",
                          population=10, size=2, seed=1, method="random")
    return p.model_copy(update={"sample": sample, "terms": p.terms.model_copy(update={"deadline": DEADLINE})})


def talk(n: int, **answers: Any) -> dict[str, Any]:
    return {f"c{n}_{k}": v for k, v in answers.items()}


def test_one_form_holds_several_conversations_each_with_who_and_consent(plan: AuditPlan) -> None:
    answers = {**talk(1, given_by="Parent", date=date(2026, 11, 9), method="Telephone", consent="No",
                      working_well="The family worker comes every week."),
               **talk(2, given_by="Child or young person", child_age=9, date="2026-11-10", consent="Yes",
                      quotes="I like my worker.", listened_to="Yes")}
    first, second = conversations_of("CP-1", "f1", answers, plan.views)
    assert (first.number, first.given_by, first.held, first.consent, first.quotable) == (
        1, "Parent", date(2026, 11, 9), "No", False)
    assert (second.number, second.by_child, second.child_age, second.held, second.quotable) == (
        2, True, 9, date(2026, 11, 10), True)
    assert second.said == [("Words they agreed to share (no names)", "I like my worker.")]
    assert ("Do they feel listened to?", "Yes") in second.choices
    assert conversations_of("CP-1", "f1", {}, plan.views) == []  # conversations not held are not listed


@pytest.mark.parametrize("change, found", [
    ({"child_age": 1}, ["views given by a child aged 1, under 4: check who gave them"]),
    ({"child_age": 4}, []),
    ({"given_by": "Parent", "child_age": 1}, []),  # a parent's views about a baby are a parent's
    ({"held": date(2026, 10, 20)}, ["dated 20/10/2026, before the sample was drawn on 02/11/2026"]),
    ({"held": date(2026, 12, 3)}, ["dated 03/12/2026, after the return deadline of 30/11/2026"]),
    ({"held": DRAWN}, []),
])
def test_what_the_coordinator_is_asked_to_check(plan: AuditPlan, change: dict, found: list[str]) -> None:
    c = Conversation("CP-1", "f1", 1, given_by="Child or young person", child_age=7, held=date(2026, 11, 12))
    for key, value in change.items():
        setattr(c, key, value)
    assert view_checks(c, plan) == found


def test_the_partnership_sets_the_age(plan: AuditPlan) -> None:
    older = plan.model_copy(update={"terms": plan.terms.model_copy(update={"views_min_age": "6"})})
    c = Conversation("CP-1", "f1", 1, given_by="Child or young person", child_age=5)
    assert view_checks(c, older) == ["views given by a child aged 5, under 6: check who gave them"]
    assert view_checks(c, plan) == []


def test_the_flag_rule_names_the_form_and_conversation(plan: AuditPlan) -> None:
    views = FormReturn(form_id="v1", audit_id=plan.audit_id, kind="views", case_ref="CP-1", agency="Participation",
                       auditor="Sam", tool_id="views", tool_version="2.0", source="returns/views.xlsx", sheet="Views",
                       closing={**talk(1, given_by="Parent", date=date(2026, 11, 5)),
                                **talk(2, given_by="Child or young person", child_age=0, date=date(2026, 10, 1))},
                       cells={"closing.c2_given_by": "B30", "closing.c2_date": "B32"})
    flags = run(plan, views_check, [views])
    assert len(flags) == 1
    f = flags[0]
    assert (f.severity, f.case_ref, f.rule) == ("medium", "CP-1", "views_check")
    assert f.message == ("Views form, conversation 2: views given by a child aged 0, under 4: check who gave them; "
                         "dated 01/10/2026, before the sample was drawn on 02/11/2026.")
    assert f.cells == "views.xlsx: Views!B30; views.xlsx: Views!B32"


def test_the_report_quotes_only_words_given_with_consent() -> None:
    audit = fake_audit()
    v = audit.views
    v[0].answers.update(talk(1, consent="Yes", quotes="Words shared with consent.", working_well="Agreed words."))
    v[1].answers.update(talk(1, consent="No", quotes="Words given without consent.", working_well="Private words."))
    v[2].answers.update(talk(2, given_by="Carer", consent="Not asked", quotes="Never asked to share these."))
    v[3].answers.update(talk(2, given_by="Child or young person", child_age="1", consent="Yes",
                             quotes="A baby's words?"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(report_bytes(audit, today=date(2026, 12, 9)))).paragraphs)
    assert "Words shared with consent." in text and "Agreed words." in text
    assert "Words given without consent." not in text and "Private words." not in text
    assert "Never asked to share these." not in text
    assert "A baby's words?" not in text  # a child under 4 cannot consent: flagged, not quoted
    talks = conversations([replace(r) for r in v], audit.plan.views)
    consented = sum(c.quotable and not (c.by_child and (c.child_age or 99) < 4) for c in talks)
    assert consented < sum(c.quotable for c in talks)
    assert (f"Words are quoted only where the person agreed, and not where the views are said to be a child's under 4: "
            f"{consented} of the {len(talks)} conversations.") in text
