"""Counts in documents agree with their nouns."""

from __future__ import annotations

from xlpack.model.wording import counted, noun, number_text


def test_counts_agree_with_their_nouns() -> None:
    assert counted(1, "form") == "1 form" and counted(1.0, "form") == "1 form"
    assert counted(0, "form") == "0 forms" and counted(2, "form") == "2 forms"
    assert counted(3, "agency", "agencies") == "3 agencies" and counted(1, "agency", "agencies") == "1 agency"
    assert counted(2.5, "case record") == "2.5 case records" and counted(1 / 3, "case record") == "0.33 case records"
    assert noun(1, "has", "have") == "has" and noun(4, "has", "have") == "have"
    assert number_text(12.50) == "12.5" and number_text(7.0) == "7" and number_text(0.999999999999) == "1"
