"""Returns in: every returned file found, looked at safely, read and checked, every problem named.

Takes paths (files, folders, .zip, .eml, .msg) and the audit plan.
:mod:`.discover` finds what was sent and :mod:`.sources` unpacks it (one
module per container: :mod:`.zip_members`, :mod:`.eml_members`,
:mod:`.msg_members`), :mod:`.ooxml` looks inside
a workbook before any library parses it, :mod:`.reader` reads a form
(:mod:`.structure` for its layout, :mod:`.answers` for its values), the
catalogue in :mod:`.problems` words every problem, and :mod:`.batch` runs a
whole batch, settling duplicates. Hands on one :class:`FileResult` per file.
"""

from xlpack.intake.batch import FileResult, IntakeResult, intake

__all__ = ["FileResult", "IntakeResult", "intake"]
