"""Before and after the audit: closing the audit cycle (issue 12).

Practitioner feedback (:mod:`xlpack.cycle.feedback`): one short Word
document per accepted audit form, for the practitioner and their manager,
with an index of who receives which. Re-audit comparison
(:mod:`xlpack.cycle.compare`): two consolidated audits of the same tool,
section by section and agency by agency, with a stated test of each
change, written as a workbook and as a report chapter.

Everything here reads the consolidated coordinator workbook
(:func:`xlpack.readback.read_consolidated`) and never changes it.
"""
