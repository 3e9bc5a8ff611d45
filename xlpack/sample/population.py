"""Check an extract before any case is drawn from it: references, filters and stratum values.

Each check returns the problems it found (every one, naming the row, the
column and the value), so the coordinator can fix the extract in one go.
Values that may be a child's name are never repeated in full: they are
shown masked (``J… S…``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from xlpack.model.definitions import Question
from xlpack.model.plan import CASE_REF_HELP, CASE_REF_PATTERN

from .extract import Extract, ExtractRow, fold

#: Values an extract uses for "not recorded": a stratum value must be a real one.
MISSING_MARKERS = frozenset({"-", "--", "?", "n/a", "na", "#n/a", "null", "none", "unknown", "not recorded",
                             "missing"})
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def looks_like_name(value: str) -> bool:
    """A name, not a case reference: no digit at all, and a capitalised word of two or more letters.

    'Jayden', 'Jane Smith', 'SMITH, Jane' and "O'Brien" look like names;
    'CP-2026-014', '100234' and 'cin/77' do not. Pseudonymised case
    references carry a number, so the rule errs on the side of refusing.
    """
    if any(ch.isdigit() for ch in value):
        return False
    return any(len(w) >= 2 and w[0].isupper() for w in _WORD.findall(value))


def mask(value: str) -> str:
    """The value with each word cut to its first letter, for messages."""
    return " ".join(w[0] + "…" for w in _WORD.findall(value)) or "…"


def reference_problems(extract: Extract, column: str) -> list[str]:
    """Blank, name-like, malformed and duplicate case references in the whole extract."""
    problems: list[str] = []
    first: dict[str, int] = {}
    key = fold(column)
    for r in extract.rows:
        ref = r.values.get(key, "")
        where = extract.where(r.row, column)
        if not ref:
            problems.append(f"{where}: the case reference is blank. Every case needs its reference.")
        elif looks_like_name(ref):
            problems.append(f"{where}: the value (shown masked: {mask(ref)}) looks like a name, not a pseudonymised "
                            "case reference (it has no digit and has a capitalised word). Check this is the case "
                            "reference column (--ref names another) and take names out of the extract.")
        elif not CASE_REF_PATTERN.match(ref):
            problems.append(f"{where}: '{ref}' is not a valid case reference. {CASE_REF_HELP}")
        elif fold(ref) in first:
            problems.append(f"{where}: the case reference '{ref}' is also on row {first[fold(ref)]}. Each case must "
                            "be in the extract once: remove the duplicate row.")
        else:
            first[fold(ref)] = r.row
    return problems


@dataclass(frozen=True)
class Filter:
    field: str
    value: str

    def __str__(self) -> str:
        return f"{self.field} = {self.value}"


def parse_filters(texts: Sequence[str]) -> list[Filter]:
    """``FIELD=VALUE`` texts; ValueError naming the one without '='."""
    out = []
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"--where '{text}' is not FIELD=VALUE (for example --where \"Age band=Under 1\").")
        out.append(Filter(" ".join(name.split()), " ".join(value.split())))
    return out


def apply_filters(extract: Extract, filters: Sequence[Filter]) -> tuple[list[ExtractRow], list[str]]:
    """The rows every filter keeps (repeated filters on one field: any of their values) and the problems."""
    wanted: dict[str, set[str]] = {}
    for f in filters:
        wanted.setdefault(fold(f.field), set()).add(fold(f.value))
    problems = []
    for f in filters:
        present = {fold(r.values.get(fold(f.field), "")) for r in extract.rows}
        if fold(f.value) not in present:
            seen = sorted({r.values.get(fold(f.field), "") for r in extract.rows} - {""}, key=str.casefold)
            shown = ", ".join(f"'{v}'" for v in seen[:20]) + (" ..." if len(seen) > 20 else "")
            problems.append(f"--where '{f}': no row of the extract has '{f.value}' in column "
                            f"'{extract.header(f.field)}'. Values found there: {shown or 'none'}.")
    kept = [r for r in extract.rows if all(fold(r.values.get(k, "")) in v for k, v in wanted.items())]
    return kept, problems


def stratum_value(raw: str, question: Question | None) -> str | None:
    """The value as the stratum is named (a choice in its list's spelling); None if blank or unknown."""
    text = " ".join(raw.split())
    if question is not None and question.type == "choice":
        return next((c for c in question.choices or () if fold(c) == fold(text)), None)
    if not text or fold(text) in MISSING_MARKERS:
        return None
    return text


def stratum_problems(extract: Extract, rows: Sequence[ExtractRow], by: Sequence[str],
                     questions: dict[str, Question]) -> list[str]:
    """Blank or unknown values in the stratification columns of the rows to draw from."""
    problems = []
    for name in by:
        q = questions.get(fold(name))
        for r in rows:
            raw = r.values.get(fold(name), "")
            if stratum_value(raw, q) is not None:
                continue
            where = extract.where(r.row, name)
            if not raw.strip():
                problems.append(f"{where}: blank. Every case needs a value in a column the sample is stratified by.")
            elif q is not None and q.type == "choice":
                problems.append(f"{where}: '{raw}' is not one of the values of {q.label} on the Cases sheet: "
                                f"{', '.join(q.choices or ())}. Correct the extract.")
            else:
                problems.append(f"{where}: '{raw}' means the value is not recorded. Record it in the extract, or "
                                "leave the case out with --where.")
    return problems
