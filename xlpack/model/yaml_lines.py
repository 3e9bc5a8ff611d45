"""Read YAML while remembering the line of every value.

Definition errors must name the line a person has to edit, so the file
is composed into nodes first and each path (``("sections", 3, "id")``)
is mapped to the 1-based line where its value starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Loc = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


def _convert(node: yaml.Node, path: Loc, lines: dict[Loc, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in out:
                raise YamlSyntaxError(
                    key_node.start_mark.line + 1, f"the key '{key}' appears twice in the same block."
                )
            out[key] = _convert(value_node, (*path, key), lines)
            lines.setdefault((*path, key, "__key__"), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load_with_lines(text: str) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text; return the data and a map of path -> line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlSyntaxError(line, f"the file is not valid YAML: {exc.problem or exc}.") from exc
    if node is None:
        return None, {}
    lines: dict[Loc, int] = {}
    return _convert(node, (), lines), lines


def line_for(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, or of its nearest parent that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def read_text(path: Path) -> str:
    return Path(path).read_text(encoding="utf-8")
