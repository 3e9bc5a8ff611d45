"""The audit cycle around the middle: choosing the cases before, feeding back and comparing after.

Case sampling (:mod:`.sampling`, with :mod:`.extract`, :mod:`.population`,
:mod:`.allocation`, :mod:`.workbook_update`): a stratified random draw from
a management-information extract onto the Cases sheet, recorded on a
Sample sheet. Practitioner feedback (:mod:`.feedback`): one short Word
document per accepted audit form, with an index of who receives which.
Re-audit comparison (:mod:`.compare`): two consolidated audits of the same
tool, section by section and agency by agency, with a stated test of each
change, as a workbook and as a report chapter. Feedback and comparison
read the consolidated coordinator workbook and never change it.
"""
