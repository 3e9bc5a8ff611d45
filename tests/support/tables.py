"""A sheet's main table read independently of xlpack's reader (openpyxl, cached values), as header -> value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl


def table_rows(path: Path, sheet: str, first: str) -> list[dict[str, Any]]:  # values as openpyxl reads them
    """The rows under the header row that starts with ``first``, to the first empty header, blank rows left out."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    start = next(i for i, r in enumerate(rows) if r and r[0] == first)
    headers = [str(h) if h is not None else "" for h in rows[start]]
    headers = headers[: headers.index("")] if "" in headers else headers  # blocks further right are not the table
    table = [r[: len(headers)] for r in rows[start + 1:]]
    return [dict(zip(headers, r)) for r in table if any(v not in (None, "") for v in r)]
