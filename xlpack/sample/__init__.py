"""Choosing the cases: a stratified random draw from a management-information extract.

:mod:`.extract` reads the extract (CSV or a workbook) without trusting it,
:mod:`.population` keeps the rows that fit the audit, :mod:`.allocation` shares
the sample between strata by largest remainder, :mod:`.sampling` draws the
cases with a recorded seed, and :mod:`.workbook_update` writes them onto the
Cases sheet (keeping everything typed) with the Sample sheet that records how.
Takes the plan sheets; hands the coordinator workbook back to ``generate``.
"""
