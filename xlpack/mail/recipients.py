"""Who each draft goes to, from where, and the recipients table beside the drafts.

An issued form goes to the address now on its Assignments row (the
coordinator may have corrected it since the form was issued), a child and
family views form to the participation worker's address on the Terms of
reference. Every address is checked, and a bad one is named by its sheet
and cell. ``recipients.csv`` lists each draft's auditor, address, agency,
cases and files for partnerships that send through a mail merge or a
secure-mail portal.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from xlpack.coordinator.plan_sheets import ASSIGN, ASSIGN_COLUMNS, TOR, read_table
from xlpack.files.workbooks import SheetReader, cell_text
from xlpack.model.plan import AuditPlan, IssuedForm, assignment_key

#: A plain address: ASCII local part and a domain with at least one dot.
ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
CSV_HEADERS = ("auditor", "email", "agency", "cases", "form files", "draft")


@dataclass(frozen=True)
class Recipient:
    """An auditor's name and address, and the cell the address was read from."""

    name: str
    email: str
    where: str  # "Sheet 'Assignments', cell D12"


def address_problem(text: str) -> str | None:
    """Why ``text`` is not one email address ("is empty", "is not an email address ..."), or None when it is."""
    text = text.strip()
    if not text:
        return "is empty"
    if text.count("@") > 1:
        return "holds more than one address; give one address per row"
    if "@" not in text:
        return "is not an email address (it has no @)"
    if ".." in text or not ADDRESS.match(text):
        return ("is not an email address xlpack can use (letters, digits and . _ - + before the @, a domain such as "
                "example.org after it)")
    return None


def quoted(text: str) -> str:
    """The address as typed, to show beside its problem ('' when empty)."""
    return f" ('{text.strip()}')" if text.strip() else ""


def _column(headers: Sequence[str], header: str) -> str:
    return xl_col_to_name(headers.index(header))


@dataclass
class AddressBook:
    """The current address of every assignment and of the participation worker, with their cells."""

    by_key: dict[tuple[str, str, str, str], Recipient] = field(default_factory=dict)
    views: dict[str, Recipient] = field(default_factory=dict)  # participation worker's name (folded) ->

    @classmethod
    def read(cls, audit: Path, plan: AuditPlan) -> AddressBook:
        reader = SheetReader(audit)
        book = cls()
        labels = {key: label for key, label, _ in ASSIGN_COLUMNS}
        table = read_table(reader, ASSIGN, list(labels.values()))
        col = _column(table.headers, labels["email"])
        for n, values in table.rows:
            texts = {key: cell_text(values.get(label)).strip() for key, label in labels.items()}
            key = assignment_key("audit", texts["case_ref"], texts["agency"], texts["auditor"])
            book.by_key.setdefault(key, Recipient(texts["auditor"], texts["email"], f"Sheet '{ASSIGN}', cell {col}{n}"))
        worker = plan.terms.participation_worker.strip()
        if worker:
            row = next((n for n, r in enumerate(reader.rows(TOR), start=1)
                        if r and cell_text(r[0]).strip() == "Participation worker email"), 0)
            where = f"Sheet '{TOR}', cell B{row}" if row else f"Sheet '{TOR}', Participation worker email"
            book.views[worker.casefold()] = Recipient(worker, plan.terms.participation_worker_email.strip(), where)
        return book

    def lookup(self, form: IssuedForm) -> Recipient | None:
        """Where the form goes now; None when its assignment is no longer in the plan."""
        if form.kind == "views":
            return self.views.get(form.auditor.strip().casefold())
        return self.by_key.get(form.assignment_key)


def _safe(value: str) -> str:
    """A cell of the CSV that a spreadsheet program will not take for a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_recipients(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    """``recipients.csv`` (UTF-8 with a byte order mark, so Excel reads the names right)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADERS)
        for row in rows:
            writer.writerow([_safe(v) for v in row])
    return path
