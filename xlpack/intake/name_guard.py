"""The name guard at intake: a warning for each free-text answer that seems to hold a person's name.

The form is still accepted; the warning names the sheet and cell, shows
the words found only by their first letters, and says what to do. The
rule and the lists are :mod:`xlpack.model.names`, with the partnership's
own names and allowed words from the coordinator workbook's Name guard sheet.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.intake.answers import Answers, InputRef
from xlpack.intake.problems import Problem, problem
from xlpack.model.names import NameLists, find_names, mask

TEXT_TYPES = ("text", "long_text")
SHOWN = 3  # names shown (masked) in one warning


def _value(answers: Answers, key: str) -> str:
    group, _, rest = key.partition(".")
    if group == "field":
        value = answers.fields.get(rest)
    elif group == "closing":
        value = answers.closing.get(rest)
    else:
        section_id, _, record = rest.rpartition(".")
        section = answers.sections.get(section_id)
        value = getattr(section, record, "") if section is not None else ""
    return value if isinstance(value, str) else ""


def name_problems(inputs: Sequence[InputRef], answers: Answers, lists: NameLists) -> list[Problem]:
    """One ``possible-name`` warning per free-text cell with a likely personal name."""
    out = []
    for ref in inputs:
        if ref.type not in TEXT_TYPES:
            continue
        hits = find_names(_value(answers, ref.key), lists)
        if not hits:
            continue
        shown = list(dict.fromkeys(mask(h.text) for h in hits))
        more = f" and {len(shown) - SHOWN} more" if len(shown) > SHOWN else ""
        out.append(problem("possible-name", sheet=ref.sheet, cell=ref.cell, names=", ".join(shown[:SHOWN]) + more,
                           label=ref.label.removesuffix(" (required)")))
    return out
