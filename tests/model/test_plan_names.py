"""The people an audit's plan records are names wherever they are written whole, surname and all.

The built-in lists know common first names and surnames; an auditor named
"Casey Demo" would otherwise leave "[name] Demo" in a quoted flag or
evidence: half a name is still a name.
"""

from __future__ import annotations

from tests.report.test_model import fake_audit
from xlpack.model.names import redact_names


def test_every_auditor_and_person_of_the_plan_is_redacted_whole() -> None:
    plan = fake_audit().plan
    plan = plan.model_copy(update={"terms": plan.terms.model_copy(update={"coordinator": "Rowan Quillfeather"})})
    lists = plan.name_lists()
    people = sorted({a.auditor for a in plan.assignments}) + ["Rowan Quillfeather"]
    for name in people:
        text = f"Children's social care ({name}) graded it Good; {name}'s notes agree."
        shown = redact_names(text, lists)
        assert not any(word in shown for word in name.split()), shown
        assert shown.count("[name]") == 2, shown
    uncommon = [n for n in people if "[name] " in redact_names(f"Seen by {n}.")]  # the built-in lists alone
    assert uncommon, "some surnames are on no list: the case this guards"


def test_the_meeting_pack_keeps_the_people_of_the_plan_and_redacts_others() -> None:
    plan = fake_audit().plan
    plan = plan.model_copy(update={"terms": plan.terms.model_copy(update={"coordinator": "Rowan Quillfeather"})})
    auditor = plan.assignments[0].auditor
    shown = redact_names(f"{auditor} spoke to Rowan Quillfeather and to Kerry Ashdown.",
                         plan.name_lists(keep_auditors=True))
    assert shown == f"{auditor} spoke to Rowan Quillfeather and to [name]."
