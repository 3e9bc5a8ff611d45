"""The coordinator workbook's plan sheets: the audit plan in and out.

Creates the workbook (Start, Terms of reference, Cases, Assignments,
Agencies, Issued forms), reads the plan back as an :class:`AuditPlan` with
every problem named by sheet and cell, and writes it again with whatever
extra sheets a later stage hands in (:mod:`.plan_sheets`).
"""
