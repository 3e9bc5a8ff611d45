"""``xlpack demo``: the whole journey on the bundled sample audit.

The journey is a list of steps (:data:`STEPS`); each takes the
:class:`DemoResult` built so far, does its part and returns a line telling
the newcomer what it made. Add a step by appending a function to the list.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.demo.sample import SAMPLE_TODAY, create_sample, sample_assignments, sample_plan, write_sample_extract
from xlpack.demo.simulate import Simulator, fill_plausibly, set_saved_at
from xlpack.errors import UsageError
from xlpack.feedback.agency import write_agency_learning
from xlpack.feedback.build import write_feedback
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail
from xlpack.model.plan import Attendee, IssuedForm, Meeting
from xlpack.report import write_report
from xlpack.report.pack import write_pack
from xlpack.sample.sampling import draw_sample
from xlpack.wording import counted, noun
from xlpack.workbook.readback import read_consolidated
from xlpack.workbook.write import analysis_writers, write_checked

SAMPLE_EXTRACT = Path(__file__).resolve().parents[2] / "samples" / "sample-extract.csv"
DEMO_CASES = 10
DEMO_STRATA = ["Category of abuse", "Age band"]
#: The demo consolidates "today" a week after the sample's return deadline, so late forms show as overdue.
DEMO_TODAY = SAMPLE_TODAY + timedelta(days=35)
SEED = 2026


@dataclass
class DemoResult:
    folder: Path
    audit: Path
    forms: Path
    steps: list[str] = field(default_factory=list)
    returns: Path | None = None
    extract: Path | None = None  # the management-information extract the cases were drawn from
    problems: list[str] = field(default_factory=list)  # the realistic problems planted in the returns
    consolidated: Any = None  # the ConsolidateResult
    drafts: list[Path] = field(default_factory=list)  # the folders of draft emails


Step = Callable[[DemoResult], str]


#: The context a coordinator types on the Terms of reference at the start (invented), so the demo's report shows
#: its Context and Dissemination chapters filled in; a blank one would be a Coordinator note there.
DEMO_CONTEXT = {
    "partnership": "Exampleshire Safeguarding Children Partnership (fictional)",
    "why_now": "The partnership's last case audits found child protection plans hard to follow, and the "
               "quality assurance sub-group asked to see how agencies work together on them now.",
    "reaudit_date": SAMPLE_TODAY + timedelta(days=365),
    "dissemination": "Findings to the partnership board, then a learning briefing for every agency's "
                     "practitioners and managers; each agency shares its own learning pack with its teams.",
}


def sample_step(result: DemoResult) -> str:
    plan = sample_plan()
    terms = plan.terms.model_copy(update=DEMO_CONTEXT)
    create_audit(result.audit, plan=plan.model_copy(update={"cases": [], "assignments": [], "terms": terms}))
    return (f"Coordinator workbook with the sample's terms of reference (fictional), its Cases sheet still empty: "
            f"{result.audit}")


def draw_step(result: DemoResult) -> str:
    """Draw the cases from the bundled management-information extract, as a neutral administrator would."""
    result.extract = result.folder / SAMPLE_EXTRACT.name
    if SAMPLE_EXTRACT.is_file():
        shutil.copy2(SAMPLE_EXTRACT, result.extract)
    else:
        write_sample_extract(result.extract)
    drawn = draw_sample(result.extract, result.audit, DEMO_CASES, by=DEMO_STRATA, seed=SEED, today=SAMPLE_TODAY)
    s = drawn.record
    return (f"{len(drawn.cases)} cases drawn at random from {result.extract.name} ({s.population} children on a "
            f"plan, invented), stratified by {' and '.join(s.by)} with seed {s.seed}, onto the Cases sheet; the "
            "Sample sheet records the draw and its balance. The same command draws the same cases: xlpack sample "
            f"{result.extract.name} --audit {result.audit.name} --size {DEMO_CASES} --by \"{','.join(s.by)}\" "
            f"--seed {s.seed}")


def assign_step(result: DemoResult) -> str:
    """What the coordinator types next: who audits each drawn case (invented auditors)."""
    plan = read_plan(result.audit)
    assignments = sample_assignments(plan.cases, random.Random(SEED))
    briefing = Meeting(name="Briefing", held=SAMPLE_TODAY + timedelta(days=1), kind="Briefing",
                       attended=_attendees(assignments, plan.terms.coordinator),
                       decisions="Forms go out this week; returns by the deadline on the Terms of reference.")
    write_coordinator(result.audit, plan.model_copy(update={"assignments": assignments, "meetings": [briefing]}))
    return (f"{len(assignments)} assignments (case, agency, auditor) typed on the Assignments sheet for the drawn "
            "cases, and the auditors' briefing on the Meetings sheet")


def _attendees(assignments: list, coordinator: str) -> list[Attendee]:
    """The coordinator and each agency's first auditor (as the lead auditors would attend)."""
    first: dict[str, str] = {}
    for a in assignments:
        first.setdefault(a.agency, a.auditor)
    return [Attendee(name=coordinator or "Coordinator", agency="Safeguarding partnership"),
            *(Attendee(name=who, agency=agency) for agency, who in sorted(first.items()))]


def generate_step(result: DemoResult) -> str:
    gen = generate_forms(result.audit, result.forms, today=SAMPLE_TODAY)  # issued the day the sample is drawn
    checks = [w for w in gen.warnings if w.startswith("Sheet 'Assignments'")]
    said = "" if not checks else (
        f" Issued with {counted(len(checks), 'warning')} about the Assignments sheet, each naming its cells (the "
        f"first: {checks[0]}); xlpack generate --strict would have issued none until "
        f"{noun(len(checks), 'it was', 'they were')} put right.")
    return f"{counted(len(gen.issued), 'form workbook')}, one per case, agency and auditor: {gen.out_dir}.{said}"


def mail_issue_step(result: DemoResult) -> str:
    """The emails that send the forms, drafted for the coordinator to check and send."""
    done = draft_mail(result.audit, "issue", today=SAMPLE_TODAY)
    if done.folder:
        result.drafts.append(done.folder)
    return (f"{counted(len(done.drafts), 'draft email')}, one per auditor with their forms attached, in {done.folder} "
            "(open one in Outlook, Thunderbird or Apple Mail: a new message, ready to check and send; xlpack sends "
            "nothing). Their wording is on the Messages sheet.")


def returns_step(result: DemoResult) -> str:
    result.returns = result.folder / "returns"
    result.problems = simulate_returns(result.audit, result.forms, result.returns, seed=SEED)
    count = sum(1 for p in result.returns.iterdir() if p.suffix == ".xlsx" and not p.name.startswith("~$"))
    planted = "; ".join(result.problems)
    return (f"{counted(count, 'returned form')}, filled in with invented answers, in {result.returns}. Planted "
            f"problems: {planted}.")


def consolidate_step(result: DemoResult) -> str:
    assert result.returns is not None
    done = consolidate(result.audit, [result.returns], today=DEMO_TODAY)
    result.consolidated = done
    t = done.totals
    urgent = t.get("flags_urgent", 0)
    alerts = "".join(f" {line}" for line in done.alerts.console_lines() if not line.startswith(" "))
    return (f"Consolidated into {result.audit} (as on {DEMO_TODAY:%d %B %Y}, the sample's made-up date a week "
            "after its return deadline): "
            f"{t.get('returns_accepted', 0) + t.get('returns_accepted_with_warnings', 0)} of "
            f"{counted(t['forms_issued'], 'form')} accepted, {counted(t['rejected_files'], 'file')} rejected, "
            f"{t.get('returns_overdue', 0)} overdue; {counted(t['flags'], 'flag')}, {urgent} urgent. Open it and look "
            "at, in order: Flags (urgent first), Returns (who to chase), Case grid (each case across agencies), "
            "Pivots and Charts, Agreement, Evidence."
            f"{alerts}")


def mail_chase_step(result: DemoResult) -> str:
    """Reminders for the forms not returned, and replies to the rejected returns naming what to correct."""
    reminders = draft_mail(result.audit, "reminder", today=DEMO_TODAY)
    replies = draft_mail(result.audit, "rejected", today=DEMO_TODAY)
    result.drafts += [d.folder for d in (reminders, replies) if d.folder]
    replied = counted(len(replies.drafts), "reply", "replies")
    return (f"{counted(len(reminders.drafts), 'reminder')} with the late forms attached again, in "
            f"{reminders.folder}, and {replied} to rejected returns, naming each sheet and cell to correct, with the "
            f"returned file attached, in {replies.folder}. The Returns sheet now shows who was reminded, and when.")


def simulate_returns(audit: Path, forms: Path, out: Path, *, seed: int = SEED) -> list[str]:
    """Fill the issued forms with invented answers into ``out``, planting the problems coordinators meet.

    Returns one line per planted problem.
    """
    plan = read_plan(audit)
    sim = Simulator(plan, seed)
    issued = sorted(plan.issued, key=lambda f: f.file)
    audits = [f for f in issued if f.kind == "audit"]
    pick = sim.rng.sample(range(len(audits)), 4)
    missing, twice, past_dropdown, unsafe = (audits[i] for i in pick)
    views = [f for f in issued if f.kind == "views"]
    skip_views = views[-1:] if views else []
    drawn = plan.sample.drawn_on if plan.sample else SAMPLE_TODAY
    # planted: a baby's "own" views, quoted; a conversation dated before the cases were drawn
    planted_views: dict[str, dict[str, Any]] = {
        views[0].form_id: {"closing.c2_given_by": "Child or young person", "closing.c2_child_age": 0,
                           "closing.c2_date": drawn + timedelta(days=9), "closing.c2_method": "Face to face",
                           "closing.c2_consent": "Yes", "closing.c2_quotes": "'Happy with the new nursery.'",
                           "closing.c2_working_well": "Settled well.", "closing.c2_not_working": "Nothing said."},
        views[1].form_id: {"closing.c1_date": drawn - timedelta(days=40)}} if len(views) > 2 else {}
    problems = [f"no return from {_who(missing)} (overdue)"]
    for f in issued:
        if f in (missing, *skip_views):
            continue
        override: dict[str, Any] = {}
        if f is unsafe:
            override = {"closing.safeguarded_now": "No", "closing.safeguarding_action":
                        "Told the team manager (Sarah Jones) on 28/11/2026; a strategy discussion was arranged."}
        if f is past_dropdown:
            override = {"section.assessment.grade": "Good to adequate"}
        override.update(planted_views.get(f.form_id, {}))
        if f is twice:
            older = fill_plausibly(sim, f, forms / f.file, out / f"{Path(f.file).stem} (first version).xlsx")
            set_saved_at(older, datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
        fill_plausibly(sim, f, forms / f.file, out / f.file, **override)
    problems += [f"{_who(twice)} returned the form twice (the newer copy counts)",
                 f"{_who(past_dropdown)} typed 'Good to adequate', not a grade from the dropdown (rejected)",
                 f"{_who(unsafe)} answered No to 'Is the child adequately safeguarded now?' (urgent flag and a "
                 "safeguarding alert drafted), naming a manager in what was done (a name guard warning; the alert "
                 "quotes it with [name])"]
    problems.append(_foreign_form(out, seed))
    (out / f"~${missing.file}").write_bytes(b"\x00" * 162)  # an Excel lock file left in the folder
    problems.append("an Excel lock file (~$...) in the folder (skipped)")
    if planted_views:
        problems += [f"views for case {views[0].case_ref} said to be a child's aged 0 (flagged, and quoted only "
                     "with consent)", f"views for case {views[1].case_ref} dated before the sample was drawn (flagged)"]
    if skip_views:
        problems.append(f"no child and family views form for case {skip_views[0].case_ref}")
    return problems


def _who(f: IssuedForm) -> str:
    return f"{f.agency} ({f.auditor}) for case {f.case_ref}"


def _foreign_form(out: Path, seed: int) -> str:
    """A form from last year's audit that found its way into the mailbox."""
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "last-year.xlsx"
        create_sample(other, cases=1, seed=seed - 1)
        gen = generate_forms(other, Path(tmp) / "forms", workers=1)
        form = next(f for f in gen.issued if f.kind == "audit")
        fill_plausibly(Simulator(read_plan(other), seed), form, gen.out_dir / form.file,
                       out / f"last-year {form.file}")
    return "a form from another audit (last year's) in the folder (rejected)"


def pack_step(result: DemoResult) -> str:
    """The pack for the follow-up (moderation) meeting, cases with urgent flags first."""
    path = write_pack(result.audit, today=DEMO_TODAY)
    return (f"Moderation meeting pack for the follow-up meeting: {path} (one part per case, urgent flags first; "
            "grades side by side with divergences marked, the evidence behind them, the views, a line per open flag)")


def meeting_step(result: DemoResult) -> str:
    """What the coordinator types after the follow-up meeting: the meeting, a moderated grade, resolutions."""
    data = read_consolidated(result.audit)
    follow = Meeting(name="Follow-up", held=DEMO_TODAY, kind="Follow-up",
                     attended=_attendees(data.plan.assignments, data.plan.terms.coordinator),
                     decisions="The urgent case was confirmed as escalated by the agency on the day.\n"
                               "Divergent grades discussed case by case; one grade moderated.",
                     learning="Information shared at strategy discussions is not always recorded by every agency.\n"
                              "Good practice: the child's own words recorded in health visiting records.",
                     feedback="The tool was clear; auditors asked for more time between the briefing and the deadline.")
    urgent = next((f for f in data.flags if f.severity == "urgent"), None)
    apart = next((f for f in data.flags if f.rule == "agency_divergence"), None)
    resolved = {flag.flag_id: words for flag, words in (
        (urgent, "Escalated on the day; the agency's safeguarding lead confirmed the plan."),
        (apart, "Discussed: the lower grade reflects the agency's own records; grade moderated.")) if flag is not None}
    data.flags = [replace(f, resolution=resolved[f.flag_id], resolution_meeting=follow.name)
                  if f.flag_id in resolved else f for f in data.flags]
    moderated = 0
    if apart is not None:
        rows = [g for g in data.grades if g.case_ref == apart.case_ref and g.section_id == apart.section_id and g.grade]
        ranked = {g.label: g.rank or 0 for g in data.plan.scale.grades}
        worst = max(rows, key=lambda g: ranked.get(g.grade or "", 0), default=None)
        better = [g.label for g in data.plan.scale.ranked if g.rank == ranked.get(worst.grade or "", 0) - 1] \
            if worst else []
        if worst is not None and better:
            note = "Agreed at the follow-up meeting: the record shows more than first read."
            moderation = replace(worst, moderated_grade=better[0], moderation_meeting=follow.name, moderation_note=note)
            data.grades = [moderation if g is worst else g for g in data.grades]
            moderated = 1
    data.plan = data.plan.model_copy(update={"meetings": [*data.plan.meetings, follow]})
    writers, streams = analysis_writers(data)
    write_checked(result.audit, data.plan, writers, streams)
    return (f"The follow-up meeting recorded on the Meetings sheet (who came, decisions, learning, feedback on the "
            f"audit), {counted(moderated, 'grade')} moderated and "
            f"{counted(sum(f is not None for f in (urgent, apart)), 'flag')} resolved, each naming the meeting in its "
            "Meeting column")


#: The journey, in order. Append a step to take the demo further.
STEPS: list[Step] = [sample_step, draw_step, assign_step, generate_step, mail_issue_step, returns_step,
                     consolidate_step, mail_chase_step, pack_step, meeting_step]


def run_demo(folder: Path, *, fresh: bool = False) -> DemoResult:
    """Build the sample audit in ``folder`` and take it as far as xlpack goes."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        if not fresh:
            raise UsageError(f"{folder} is not empty. Choose another folder, or add --fresh to start it again.")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    result = DemoResult(folder=folder, audit=folder / "sample-audit.xlsx", forms=folder / "forms")
    for step in STEPS:
        result.steps.append(step(result))
    return result


def agency_learning_step(result: DemoResult) -> str:
    """Each agency's learning pack for its lead auditor."""
    done = write_agency_learning(result.audit, today=DEMO_TODAY)
    return (f"{len(done.documents)} agency learning packs (its section profile beside the partnership's, its flags, "
            f"development points and actions), one per agency, in {done.out_dir} (Learning_AGENCY.docx)")


STEPS.append(agency_learning_step)


def report_step(result: DemoResult) -> str:
    """The overview report for the partnership, written from the consolidated workbook."""
    path = write_report(result.audit, today=DEMO_TODAY)
    return (f"Overview report for the partnership, ready to finish in Word: {path} (its 'Coordinator:' notes "
            "mark where your judgement goes)")


STEPS.append(report_step)


def feedback_step(result: DemoResult) -> str:
    """Each accepted audit back to the practitioner and their manager, with an index of who gets which."""
    done = write_feedback(result.audit, today=DEMO_TODAY)
    return (f"{len(done.documents)} feedback documents, one per accepted audit form, for the practitioner and their "
            f"manager: {done.out_dir} (the index, {done.index.name}, says which goes to which auditor)")


STEPS.append(feedback_step)

