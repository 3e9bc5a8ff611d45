"""Workbooks on disk: reading cells safely, and replacing a workbook without ever leaving half of one.

Used by every stage that reads or writes a workbook: cell values as text
or dates (:mod:`.workbooks`), the check that Excel or LibreOffice does not
have a workbook open, and the atomic swap with a dated backup.
"""
