"""Forms out: one locked, validated, macro-free workbook per case × agency × auditor.

Takes the audit plan and a tool definition; :mod:`.layout` decides where
every question, answer and grade sits, :mod:`.writer` writes the form with
xlsxwriter. Hands on the issued files and their records (what intake
later checks a return against).
"""
