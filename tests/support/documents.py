"""Reading a Word document (python-docx) or an XML part back in the tests."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from docx.text.paragraph import Paragraph


def style_name(p: Paragraph) -> str:
    """The name of the paragraph's style ("" for a paragraph without one)."""
    return (p.style.name or "") if p.style is not None else ""


def child(element: Element, path: str, namespaces: dict[str, str] | None = None) -> Element:
    """``element.find(path)`` for a child the document must have (an AssertionError names the path if not)."""
    found = element.find(path, namespaces)
    assert found is not None, f"no {path} under <{element.tag}>"
    return found
