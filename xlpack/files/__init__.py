"""Workbooks on disk: reading cells safely, and replacing a workbook without ever leaving half of one.

Used by every stage that reads or writes a workbook: cell values as text
or dates (:mod:`.workbooks`), the check that Excel or LibreOffice does not
have a workbook open, and the atomic swap with a verified, dated backup
(:mod:`.backups`); xlpack's own lock for a command's whole run
(:mod:`.lock`); disk failures in plain words (:mod:`.disk`); worker
processes that end with the command (:mod:`.workers`); the one reader of
a workbook's package, its parts, relationships and sheets (:mod:`.package`),
each part read within its declared size (:mod:`.bounded_zip`); and the
formulas and comments a cell reader does not see (:mod:`.sheet_extras`).
"""
