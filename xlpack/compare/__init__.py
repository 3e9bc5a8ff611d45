"""Re-audit comparison: two consolidated audits of the same tool, section by section.

:mod:`.comparison` aligns the two audits (by section id, or through a map from
:mod:`.mapping`) and tallies each side, :mod:`.stats` states the test of each
change, :mod:`.baseline_actions` follows the baseline's Action plan, and the
results are written as a workbook (:mod:`.workbook`) and a report chapter
(:mod:`.chapter`) by :mod:`.files`. Reads both coordinator workbooks; never
changes them.
"""
