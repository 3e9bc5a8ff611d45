"""Feedback to practitioners: one Word document per accepted audit form.

:mod:`.model` holds what a document says, :mod:`.build` gathers it from a
consolidated audit (flags about the agency's record first) and writes the set,
:mod:`.document` lays one document out, and :mod:`.index` lists who receives
which. Reads the consolidated coordinator workbook; never changes it.
"""
