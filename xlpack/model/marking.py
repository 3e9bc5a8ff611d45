"""The protective marking on everything xlpack writes about cases: forms, workbooks, documents and emails.

Every writer takes it from here (headers, footers, document properties,
email subjects), so the marking is changed in one place if a partnership's
policy asks for another.
"""

MARKING = "OFFICIAL-SENSITIVE"
