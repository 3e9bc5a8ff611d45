"""The package's layout keeps the pipeline readable: imports run down the flow, with no cycles.

Every module belongs to a stage; a module may import from its own stage or
an earlier one, never a later one. Imports inside functions are allowed
only where they keep start-up fast (the skins importing the stages they
run, and heavy optional libraries), each with a comment saying why.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlpack"

#: Stage of each top-level module or subpackage of xlpack, in the order data flows.
STAGES = {
    "errors": 0, "clock": 0, "wording": 0, "model": 1, "files": 2, "coordinator": 3, "forms": 4, "intake": 5,
    "analysis": 6, "workbook": 7, "report": 8, "sample": 9, "feedback": 9, "compare": 9, "mail": 9,
    "generate": 10, "consolidate": 10,
    "cli": 11, "excel": 11, "demo": 11,
}
SKINS = {"cli", "excel", "demo"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted: str) -> bool:
    path = PACKAGE.parent / dotted.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "xlpack" else None


def imports(tree: ast.Module, module: str, is_package: bool,
            type_checking_nested: bool = True) -> list[tuple[str, int, bool]]:
    """(imported xlpack module, line, nested) for every import: nested inside a function, or inside a
    TYPE_CHECKING block unless ``type_checking_nested`` is off (such an import is still a dependency)."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) or (
                type_checking_nested and isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if is_package else module.split(".")[:-1]
                    base = base[: len(base) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target.startswith("xlpack"):
                    found.append((target, child.lineno, inner))
                    # ``from package import module`` depends on that module too
                    found.extend((f"{target}.{a.name}", child.lineno, inner) for a in child.names
                                 if is_module(f"{target}.{a.name}"))
            elif isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, inner) for a in child.names if a.name.startswith("xlpack"))
            visit(child, inner)

    visit(tree, False)
    return found


def all_modules() -> dict[str, tuple[Path, ast.Module]]:
    return {module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_belongs_to_a_known_stage() -> None:
    unknown = {m for m in all_modules() if stage_of(m) and stage_of(m) not in STAGES and stage_of(m) != "__main__"}
    assert not unknown, f"add these to STAGES, in flow order: {sorted(unknown)}"


def test_no_module_imports_from_a_later_stage() -> None:
    wrong = []
    for name, (path, tree) in all_modules().items():
        own = stage_of(name)
        if own is None or own == "__main__":
            continue  # xlpack/__init__ (the lazy public API) and __main__ sit above every stage
        for target, line, _ in imports(tree, name, path.name == "__init__.py"):
            theirs = stage_of(target)
            if theirs is not None and STAGES.get(theirs, 99) > STAGES[own]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({own}) imports {target} ({theirs})")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_imports_inside_functions_only_in_skins_or_for_heavy_libraries() -> None:
    wrong = []
    for name, (path, tree) in all_modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for target, line, nested in imports(tree, name, path.name == "__init__.py"):
            if not nested or "TYPE_CHECKING" in "\n".join(lines[max(0, line - 3):line]):
                continue
            if stage_of(name) not in SKINS and name != "xlpack":
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} inside a function")
            elif "#" not in lines[line - 1] and "#" not in lines[line - 2]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: say why {target} is imported late")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles() -> None:
    modules = all_modules()
    graph: dict[str, set[str]] = {}
    for name, (path, tree) in modules.items():
        targets = {target for target, _, nested in imports(tree, name, path.name == "__init__.py", False) if not nested}
        graph[name] = {t for t in targets if t in modules and t != name}
    state: dict[str, int] = {}
    cycle: list[str] = []

    def walk(node: str, trail: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle.extend(trail[trail.index(nxt):] + [node, nxt] if nxt in trail else [node, nxt])
                return True
            if nxt not in state and walk(nxt, [*trail, node]):
                return True
        state[node] = 2
        return False

    for start in sorted(graph):
        if start not in state and walk(start, []):
            break
    assert not cycle, " -> ".join(cycle)


@pytest.mark.parametrize("line", ["import xlpack", "import xlpack.cli"])
def test_start_up_does_not_load_the_heavy_libraries(line: str) -> None:
    import subprocess
    import sys

    code = f"{line}; import sys; print(sorted(m for m in ('pandas', 'matplotlib', 'docx', 'xlsxwriter', " \
           "'openpyxl', 'python_calamine', 'fastapi', 'xlwings_server', 'uvicorn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"{line} loads {out.strip()}"


#: Each stage and the libraries it has no use for: loading them costs tens of megabytes in every run.
STAGES_WITHOUT = {
    "xlpack.consolidate": ("docx", "matplotlib", "pandas", "openpyxl"),  # the report's and the extracts' libraries
    "xlpack.generate": ("docx", "matplotlib", "pandas"),
    "xlpack.intake": ("docx", "matplotlib", "pandas"),
}


@pytest.mark.parametrize("module", sorted(STAGES_WITHOUT))
def test_a_stage_does_not_load_libraries_it_never_uses(module: str) -> None:
    import subprocess
    import sys

    unused = STAGES_WITHOUT[module]
    code = f"import {module}, sys; print(sorted(m for m in {unused!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"import {module} loads {out.strip()}"


#: Calls that read the machine's clock for a date; only xlpack.clock may make them.
CLOCK_READS = ("date.today", "datetime.now", "datetime.today", "datetime.utcnow", "time.localtime")


def test_only_the_clock_module_reads_todays_date() -> None:
    """Every "today" comes from xlpack.clock, which tests pin (so no test depends on the day it runs)."""
    wrong = []
    for root in (PACKAGE, PACKAGE.parent / "tests"):
        for path in sorted(root.rglob("*.py")):
            if path == PACKAGE / "clock.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                # a call, or the function handed on to be called later (``default_factory=date.today``)
                if isinstance(node, ast.Attribute) and ast.unparse(node).endswith(CLOCK_READS):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {ast.unparse(node)}")
    assert not wrong, "read today from xlpack.clock instead:\n" + "\n".join(wrong)


#: ``xlpack.`` followed by these is a file or host name, not a module (xlpack.exe, xlpack.xlam, xlpack.invalid).
NOT_MODULES = {"exe", "xlam", "invalid"}
DOTTED = re.compile(r"\bxlpack(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _module_file(dotted: str) -> Path | None:
    base = PACKAGE.parent.joinpath(*dotted.split("."))
    return next((p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()), None)


def _defined(body: list[ast.stmt]) -> dict[str, ast.AST]:
    """Names a module or class body defines or imports, read from its source (nothing is imported)."""
    out: dict[str, ast.AST] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                out.update({n.id: node for n in ast.walk(target) if isinstance(n, ast.Name)})
        elif isinstance(node, ast.Import | ast.ImportFrom):
            out.update({(a.asname or a.name).split(".")[0]: node for a in node.names})
        elif isinstance(node, ast.If | ast.Try):
            out.update(_defined(node.body))
    return out


def _resolves(name: str) -> bool:
    """Whether ``xlpack.a.b.attr...`` names a module, and something that module (or class) defines."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        path = _module_file(".".join(parts[:i]))
        if path is None:
            continue
        scope: ast.AST = ast.parse(path.read_text(encoding="utf-8"))
        for attr in parts[i:]:
            names = _defined(scope.body) if isinstance(scope, ast.Module | ast.ClassDef) else {}
            if attr not in names and _module_file(".".join([*parts[:i], attr])) is None:
                return False
            scope = names.get(attr, ast.Module(body=[], type_ignores=[]))
        return True
    return False


def test_every_dotted_name_in_the_code_and_docs_exists() -> None:
    """Docstrings, the README and docs/ name modules and functions that exist (not those of an older layout)."""
    root = PACKAGE.parent
    texts = [*sorted(PACKAGE.rglob("*.py")), root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    wrong = []
    for path in texts:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for found in DOTTED.findall(line):
                if found.split(".")[1] not in NOT_MODULES and not _resolves(found):
                    wrong.append(f"{path.relative_to(root)}:{n} {found}")
    assert not wrong, "names that do not exist:\n" + "\n".join(wrong)


#: The web and Excel frameworks: only the skins that need them may import them.
FRAMEWORKS = ("fastapi", "starlette", "xlwings", "xlwings_server", "uvicorn")


def test_only_the_skins_import_the_web_and_excel_frameworks() -> None:
    """The library runs without xlwings or a web server: the Excel skins (and ``xlpack serve``) bring them."""
    wrong = []
    for name, (path, tree) in all_modules().items():
        if stage_of(name) in ("excel", "cli"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            targets = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            wrong += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {t}" for t in targets
                      if t.split(".")[0] in FRAMEWORKS]
    assert not wrong, "\n".join(wrong)


def test_a_type_ignore_in_the_tests_names_its_error_and_why() -> None:
    """mypy checks tests/ and benchmarks/ as it checks the package: a ``type: ignore`` there names its error code
    and gives its reason in a comment after it, so none hides more than the one error it was written for."""
    ignore = re.compile(r"#\s*type:\s*ignore(\[[\w\-, ]+\])?(.*)")
    wrong = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((PACKAGE.parent / folder).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                m = ignore.search(line)
                if m and not (m.group(1) and re.search(r"#\s*\S", m.group(2))):
                    wrong.append(f"{path.relative_to(PACKAGE.parent)}:{n}: {line.strip()}")
    assert not wrong, "\n".join(wrong)


#: Exceptions defined outside errors.py: each carries a problem inside one stage and is caught there (never reaching
#: a skin, which maps only errors.py's tree to messages and exit codes). The reason is the test's documentation.
LOCAL_EXCEPTIONS = {
    "PackageError": "intake: carries a Problem from the package's first look to the reader",
    "ReadError": "intake: carries a Problem when a file's bytes cannot be had",
    "_Stop": "intake: ends reading one form, with the Problem that says why",
    "ReturnedChangedError": "mail: a rejected file changed since consolidate; becomes a line of a MailError",
    "ZipCopyError": "files: a package that cannot be copied member by member; the splice says NotSpliceable",
    "NotSpliceable": "workbook: the sheets cannot be spliced; the whole workbook is written instead",
    "RequestRefused": "the web add-in server: answered with its HTTP status and message",
}


def test_one_exception_tree_and_local_carriers_caught_where_raised() -> None:
    """Errors a person can cause are XlpackError's, in errors.py; any other exception class is a named local
    carrier, and the package catches it (an ``except`` naming it), so it never reaches a skin unexplained."""
    defined: dict[str, str] = {}
    caught: set[str] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and path != PACKAGE / "errors.py":
                bases = {ast.unparse(b).split(".")[-1] for b in node.bases}
                if bases & {"Exception", "BaseException", "ValueError", "RuntimeError", "OSError", "LookupError"}:
                    defined[node.name] = str(path.relative_to(PACKAGE.parent))
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                caught.update(ast.unparse(n).split(".")[-1] for n in names)
    assert set(defined) == set(LOCAL_EXCEPTIONS), (
        f"exception classes outside errors.py: {defined}; put an error a person can cause in errors.py's tree, or "
        "name a local carrier in LOCAL_EXCEPTIONS with why it never leaves its stage")
    assert not set(defined) - caught, f"never caught in the package: {sorted(set(defined) - caught)}"
