"""Invented management-information extracts for the sampling tests, and what the tests compute from them.

The population is generated here, not by xlpack, and the expected figures
(strata, proportional targets) are counted straight from the rows.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

REF = "Case reference"
#: Column -> (value, weight). Every age band and gender is common; two categories of abuse are rare.
SHARES: dict[str, list[tuple[str, int]]] = {
    "Category of abuse": [("Neglect", 50), ("Emotional abuse", 38), ("Physical abuse", 6), ("Sexual abuse", 3),
                          ("Multiple", 3)],
    "Age band": [("Under 1", 14), ("1-4", 26), ("5-9", 28), ("10-15", 24), ("16-17", 8)],
    "Gender": [("Female", 48), ("Male", 52)],
    "Ethnicity (census group)": [("White", 70), ("Mixed or multiple ethnic groups", 12),
                                 ("Asian or Asian British", 10), ("Black, Black British, Caribbean or African", 8)],
    "Social work team or base": [("North team", 1), ("South team", 1), ("East team", 1)],
}
COLUMNS = [REF, *SHARES, "Plan start date"]


def population(n: int = 480, seed: int = 1) -> list[dict[str, str]]:
    """``n`` invented children on a plan with distinct references, in no particular order."""
    rng = random.Random(seed)
    refs = rng.sample(range(100000, 999999), n)
    rows = []
    for ref in refs:
        row = {REF: f"LA{ref}"}
        for column, shares in SHARES.items():
            row[column] = rng.choices([v for v, _ in shares], weights=[w for _, w in shares])[0]
        row["Plan start date"] = f"2026-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
        rows.append(row)
    return rows


def write_csv(path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, str]], columns: Sequence[str] = COLUMNS,
               title: str = "") -> Path:
    """As a reporting system exports it: an optional title line above the header, numbers as numbers."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Export")
    first = 0
    if title:
        ws.write_string(0, 0, title)
        first = 2
    ws.write_row(first, 0, list(columns))
    for r, row in enumerate(rows, start=first + 1):
        for c, column in enumerate(columns):
            value = row.get(column, "")
            if value.isdigit():
                ws.write_number(r, c, int(value))
            else:
                ws.write_string(r, c, value)
    wb.close()
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def strata(rows: Sequence[dict[str, str]], by: Sequence[str]) -> Counter[tuple[str, ...]]:
    return Counter(tuple(r[b] for b in by) for r in rows)


def drawn_strata(rows: Sequence[dict[str, str]], refs: Sequence[str], by: Sequence[str]) -> Counter[tuple[str, ...]]:
    by_ref = {r[REF]: r for r in rows}
    return Counter(tuple(by_ref[ref][b] for b in by) for ref in refs)
