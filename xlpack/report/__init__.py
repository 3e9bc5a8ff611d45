"""The overview report: a Word document the coordinator finishes and presents to the partnership.

Takes the consolidated workbook (read back with
:func:`~xlpack.workbook.readback.read_consolidated`); :mod:`.findings`
works out what the report says, :mod:`.chapters` lays it out in the
guidance's order, :mod:`.document` holds the Word building blocks and
:mod:`.charts` draws the figures. :mod:`.write` is the entry point.
"""

from xlpack.report.write import build_report, write_report

__all__ = ["build_report", "write_report"]
