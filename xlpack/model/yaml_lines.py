"""Read YAML while remembering the line of every value.

Definition errors must name the line a person has to edit, so the file
is composed into nodes first and each path (``("sections", 3, "id")``)
is mapped to the 1-based line where its value starts.

Reading is safe and bounded: only plain YAML values are built (the safe
loader's), anchors and aliases (``&a`` / ``*a``, which can make a few lines
stand for gigabytes) are refused, as are keys that are not plain values,
nesting deeper than :data:`MAX_DEPTH` and more than :data:`MAX_NODES`
values; each refusal names its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from xlpack.errors import YamlSyntaxError

Loc = tuple[str | int, ...]
MAX_DEPTH = 50  # levels of nesting: a definition needs about 6
PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
MAX_NODES = 200_000  # values in one file: a large definition has a few thousand


class _Walk:
    """What has been converted so far: every node once, within the bounds."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def visit(self, node: yaml.Node, depth: int) -> None:
        line = node.start_mark.line + 1
        if id(node) in self.seen:
            raise YamlSyntaxError(line, "anchors and aliases ('&name' and '*name') are not allowed: write the value "
                                        "out in full where it is needed.")
        self.seen.add(id(node))
        if isinstance(node, yaml.CollectionNode) and node.tag not in PLAIN_TAGS:
            raise YamlSyntaxError(line, f"the tag '{node.tag}' is not read: write plain lists and blocks.")
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(line, f"the values are nested more than {MAX_DEPTH} levels deep.")
        if len(self.seen) > MAX_NODES:
            raise YamlSyntaxError(line, f"the file holds more than {MAX_NODES:,} values, more than xlpack reads.")


def _convert(node: yaml.Node, path: Loc, lines: dict[Loc, int], walk: _Walk, depth: int = 0) -> Any:
    walk.visit(node, depth)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(key_node.start_mark.line + 1, "a key must be a plain word or phrase, not a "
                                                                    "list or a block ('? ' keys are not read).")
            walk.visit(key_node, depth + 1)
            key = key_node.value
            if key in out:
                raise YamlSyntaxError(
                    key_node.start_mark.line + 1, f"the key '{key}' appears twice in the same block."
                )
            out[key] = _convert(value_node, (*path, key), lines, walk, depth + 1)
            lines.setdefault((*path, key, "__key__"), key_node.start_mark.line + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines, walk, depth + 1) for i, item in enumerate(node.value)]
    try:
        return _scalar(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
        raise YamlSyntaxError(node.start_mark.line + 1, f"the value '{str(node.value)[:60]}' cannot be read "
                                                        f"({getattr(exc, 'problem', None) or exc}).") from exc


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
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: a binary file, most often
        line = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(line, f"the file holds a character YAML does not allow ({exc.character!r}): "
                                    "it is not a text file, or was saved in another format.") from exc
    except RecursionError as exc:
        raise YamlSyntaxError(None, "the values are nested too deeply to read.") from exc
    if node is None:
        return None, {}
    lines: dict[Loc, int] = {}
    return _convert(node, (), lines, _Walk()), lines


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
