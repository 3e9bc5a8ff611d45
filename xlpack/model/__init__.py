"""Stage 0, the model: what an audit is, as typed records.

Takes the tool definitions and grade scales kept as YAML in
``workbook_templates/`` (:mod:`.definitions`, with line numbers from
:mod:`.yaml_lines`) and hands on the records every later stage passes
around: the audit plan (:mod:`.plan`), returned forms, grade rows and
flags (:mod:`.records`), and the consolidated audit (:mod:`.consolidated`).
No files other than the definitions are read here.
"""
