"""Reading a Word document back in the tests (python-docx)."""

from __future__ import annotations

from docx.text.paragraph import Paragraph


def style_name(p: Paragraph) -> str:
    """The name of the paragraph's style ("" for a paragraph without one)."""
    return (p.style.name or "") if p.style is not None else ""
