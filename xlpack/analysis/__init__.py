"""Analysis: from returned forms to figures, with no files touched.

Takes the plan and intake's results; :mod:`.build` and :mod:`.dataset`
make the consolidated records (returns, grade rows, closing answers,
views), :mod:`.flags` raises the consistency flags (one module a rule),
:mod:`.pivots` counts grades, :mod:`.agreement` measures how far agencies
agree, and :mod:`.verdicts` holds the thresholds the workbook and the
report share. Hands on a :class:`ConsolidatedAudit` and the figures.
"""
