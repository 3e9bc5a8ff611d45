"""How counts are written for people: "1 form", "5 forms", "12.5 case records", never "form(s)".

The report, feedback documents, learning packs and flag texts are read by a
board, practitioners and auditors, and the console's and Excel's messages by the
coordinator; each count there agrees with its noun (and its verb: ``noun(n, "was",
"were")``). A stage-0 module, beside errors.py, so error messages can use it too.
"""

from __future__ import annotations


def number_text(n: float) -> str:
    """A count as documents write it: a whole number ("8"), or a shared count to two places at most ("8.5")."""
    if abs(n - round(n)) < 1e-9:
        return str(int(round(n)))
    return f"{n:.2f}".rstrip("0").rstrip(".")


def noun(n: float, one: str, many: str | None = None) -> str:
    """``one`` for a count of exactly one, else ``many`` (``one`` + "s" unless given): "grade", "grades"."""
    return one if number_text(n) == "1" else (many or one + "s")


def counted(n: float, one: str, many: str | None = None) -> str:
    """The count and its noun: counted(1, "form") is "1 form", counted(3, "agency", "agencies") "3 agencies"."""
    return f"{number_text(n)} {noun(n, one, many)}"
