"""Agreement between agencies: units, within-one share and Krippendorff's alpha (ordinal)."""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest

from xlpack.analysis.agreement import (
    ALPHA_GUIDE,
    ALPHA_READINGS,
    alpha_reading,
    alpha_text,
    audit_alpha,
    krippendorff_alpha_ordinal,
    units,
    within_one_share,
)
from xlpack.model.definitions import load_scale
from xlpack.model.records import GradeRow

SCALE = load_scale("ofsted-2009")


def row(case: str, agency: str, section: str, order: int, grade: str | None, moderated: str | None = None,
        auditor: str = "A") -> GradeRow:
    return GradeRow(row_id=f"{case}/{agency}/{auditor}:{section}", form_id=f"{case}/{agency}/{auditor}",
                    case_ref=case, agency=agency, auditor=auditor, tool_id="cp", section_id=section,
                    section_title=section.title(), section_order=order, grade=grade, moderated_grade=moderated)


def reference_alpha(unit_values: list[list[int]]) -> float:
    """The krippendorff package's ordinal alpha: coders as rows, units as columns, NaN where missing."""
    width = max(len(v) for v in unit_values)
    data = np.full((width, len(unit_values)), np.nan)
    for u, values in enumerate(unit_values):
        data[: len(values), u] = values
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"))


@pytest.mark.parametrize("seed", range(25))
def test_alpha_matches_the_krippendorff_package_on_random_data(seed: int) -> None:
    rng = random.Random(seed)
    n_units = rng.randint(3, 40)
    agree = rng.random()
    data = []
    for _ in range(n_units):
        centre = rng.randint(1, 4)
        values = [centre if rng.random() < agree else rng.randint(1, 4) for _ in range(rng.randint(1, 6))]
        data.append(values)
    pairable = [v for v in data if len(v) >= 2]
    ours = krippendorff_alpha_ordinal(data)
    if not pairable or len({x for v in pairable for x in v}) < 2:
        assert ours is None
        return
    assert ours == pytest.approx(reference_alpha(pairable), abs=1e-9)


def test_alpha_edge_cases() -> None:
    assert krippendorff_alpha_ordinal([]) is None
    assert krippendorff_alpha_ordinal([[2], [3]]) is None  # nothing pairable
    assert krippendorff_alpha_ordinal([[2, 2], [2, 2, 2]]) is None  # no variation to judge by
    assert krippendorff_alpha_ordinal([[1, 1], [4, 4], [2, 2]]) == pytest.approx(1.0)
    # a hand-computed case: units (1,2) and (2,1): o(1,2)=o(2,1)=2, n1=n2=2, n=4; delta(1,2)=(2+2-2)^2... = 4
    # D_o = (2*4+2*4)/4 = 4; D_e = (2*2*4*2)/(4*3) = 16/6; alpha = 1 - 4/(16/6) = -0.5
    assert krippendorff_alpha_ordinal([[1, 2], [2, 1]]) == pytest.approx(-0.5)


def test_units_leave_out_na_no_evidence_blanks_and_single_forms() -> None:
    rows = [row("C1", "Police", "a", 1, "Good"), row("C1", "Health", "a", 1, "Inadequate"),
            row("C1", "CAMHS", "a", 1, "Not applicable"), row("C1", "School", "a", 1, None),
            row("C1", "Police", "b", 2, "Good"), row("C1", "Health", "b", 2, "No evidence"),
            row("C2", "Police", "a", 1, "Outstanding"), row("C2", "Health", "a", 1, "Good", auditor="X"),
            row("C2", "Health", "a", 1, "Adequate", auditor="Y")]
    us = units(rows, SCALE)
    # agencies are compared, one grade each: Health's two forms in C2 (Good, Adequate) give it their mean, 2.5
    assert [(u.case_ref, u.section_id, u.agencies, u.ranks) for u in us] == [
        ("C1", "a", ("Health", "Police"), (4, 2)),
        ("C2", "a", ("Health", "Police"), (2.5, 1))]
    assert us[1].grades == ("Good (X) / Adequate (Y)", "Outstanding")  # auditors named, in name order
    assert [u.spread for u in us] == [2, 1.5] and [u.within_one for u in us] == [False, False]
    assert within_one_share(us) == 0.0
    assert within_one_share([]) is None


def test_moderation_changes_agreement() -> None:
    rows = [row("C1", "Police", "a", 1, "Good"), row("C1", "Health", "a", 1, "Inadequate", moderated="Good"),
            row("C1", "Police", "b", 2, "Good"), row("C1", "Health", "b", 2, "Adequate"),
            row("C1", "Police", "c", 3, "Outstanding"), row("C1", "Health", "c", 3, "Outstanding")]
    assert within_one_share(units(rows, SCALE, moderated=False)) == pytest.approx(2 / 3)
    assert within_one_share(units(rows, SCALE, moderated=True)) == 1.0
    before = audit_alpha(units(rows, SCALE, moderated=False))
    after = audit_alpha(units(rows, SCALE, moderated=True))
    assert before == pytest.approx(reference_alpha([[4, 2], [3, 2], [1, 1]]))  # Health first, then Police
    assert after == pytest.approx(reference_alpha([[2, 2], [3, 2], [1, 1]]))
    assert after is not None and before is not None and after > before and not math.isnan(after)


# ----------------------------------------------------------------------------- how alpha is read, said once


def test_alpha_reading_follows_krippendorffs_cut_offs() -> None:
    cases = {None: None, 1.0: "reliable", 0.8: "reliable", 0.7999: "tentative", 0.667: "tentative",
             0.6669: "low", 0.0: "low", -0.4: "low"}
    for alpha, reading in cases.items():
        assert alpha_reading(alpha) == reading, alpha
    for lowest, _ in ALPHA_READINGS:  # the guide states every cut-off it uses
        assert f"{lowest:.3f}".rstrip("0").rstrip(".") in ALPHA_GUIDE.replace("0.80", "0.8")


@pytest.mark.parametrize("seed", range(5))
def test_alpha_text_never_reads_across_a_cut_off(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.uniform(-1, 1) for _ in range(300)] + [0.6666, 0.66651, 0.665, 0.79951, 0.7999, 0.8, 0.667]
    for alpha in values:
        text = alpha_text(alpha)
        assert alpha_reading(float(text)) == alpha_reading(alpha), (alpha, text)
        assert abs(float(text) - alpha) < 0.005
        decimals = len(text.split(".")[1])
        assert decimals == 2 or round(alpha, 2) in (0.8, 0.67), (alpha, text)  # more only at a cut-off
    assert alpha_text(0.7712) == "0.77" and alpha_text(None) == "–"


def test_agreement_sheet_and_report_say_the_same() -> None:
    from tests.report.test_model import fake_audit
    from xlpack.workbook.sheets import agreement as agreement_sheet

    data = fake_audit()
    sheet = agreement_sheet.build(data)
    assert ALPHA_GUIDE in sheet.intro
    summary = sheet.blocks[0]
    rows = {r[0]: r[1:] for r in summary.rows}
    alphas = [audit_alpha(units(data.grades, SCALE, moderated=m)) for m in (False, True)]
    readings = [getattr(c, "value", c) for c in rows["Reading of alpha (see the note above)"]]
    assert readings == [alpha_reading(a) for a in alphas]
