"""The consolidated coordinator workbook: analysis sheets out, the coordinator's typing kept.

Takes a :class:`ConsolidatedAudit`. :mod:`.sheets` describes each analysis
sheet in the neutral :mod:`.sheet_model` (rows, widths, named styles,
charts), :mod:`.render` and :mod:`.stream` draw it with xlsxwriter,
:mod:`.readback` reads a consolidated workbook back, :mod:`.carryover` and
:mod:`.changes` keep what the coordinator typed (or refuse by name), and
:mod:`.write` swaps the new workbook in. Hands on the workbook on disk.
"""
