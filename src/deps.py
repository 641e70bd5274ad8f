"""What a notebook's code depends on, read from the source (no imports are executed).

`code_dependencies("notebooks/03_figures.ipynb")` lists the files under src/ that the notebook's
code cells import, followed through every `src` module they import in turn (imports inside
functions count too). The Snakefile treats these files as inputs of the report, so a new module or a
new import needs no edit to pipeline.yml.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from pathlib import Path

from src.helpers import ROOT

PACKAGE = "src"


def _source_of_notebook(path: Path) -> str:
    """The code cells of an .ipynb (read as JSON: no nbformat needed), IPython magics and shell
    lines blanked so the text parses as Python."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in source.splitlines():
            stripped = line.lstrip()
            lines.append("" if stripped.startswith(("%", "!")) else line)
        lines.append("")
    return "\n".join(lines)


def _module_file(name: str, root: Path) -> Path | None:
    """The file of module `name` (e.g. 'src.figures') under `root`, if it is in the package."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _statements(nodes):
    """Every statement in `nodes`, nested blocks included (functions, classes, if/try/with/match
    bodies); expressions are not visited, which keeps reading a module quick."""
    for node in nodes:
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            yield from _statements(getattr(node, name, None) or [])


IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import\b|import[ \t]+\w)")


def _import_lines(source: str) -> str:
    """The import statements of `source`, dedented, one per line (a parenthesised name list
    joined), in order; an import inside a function counts like one at the top."""
    lines = source.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if IMPORT_LINE.match(line):
            statement = line.strip()
            while statement.count("(") > statement.count(")") and i + 1 < len(lines):
                i += 1
                statement += " " + lines[i].split("#")[0].strip()
            while statement.endswith("\\") and i + 1 < len(lines):
                i += 1
                statement = statement[:-1] + " " + lines[i].strip()
            out.append(statement)
        i += 1
    return "\n".join(out)


def imported_modules(source: str, module: str = "") -> set[str]:
    """Dotted names of every module `source` imports (absolute, or relative to `module`), with
    `from package import name` giving both the package and package.name (which may be a module)."""
    found: set[str] = set()
    try:  # parse only the import lines: a tenth of the time of parsing the whole module
        tree = ast.parse(_import_lines(source))
    except SyntaxError:  # an import-like line in a docstring that is not Python: read it all
        tree = ast.parse(source)
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module.split(".")[: -node.level] if module else []
                base = ".".join([*package, node.module] if node.module else package)
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


@functools.cache  # the Snakefile follows the same modules for every notebook
def _parse_module(path: Path, module: str) -> frozenset[str]:
    return frozenset(imported_modules(path.read_text(encoding="utf-8"), module))


def _parse_notebook(path: Path, module: str) -> set[str]:
    try:
        return imported_modules(_source_of_notebook(path))
    except SyntaxError as err:
        raise SyntaxError(
            f"{path}: a code cell does not parse ({err.msg}, line {err.lineno})"
        ) from err


def _direct(path: Path, root: Path) -> set[Path]:
    """src files imported directly by `path` (a src file or a notebook)."""
    if path.suffix == ".ipynb":
        module, parse = "", _parse_notebook
    else:
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        parse = _parse_module
    names = parse(path, module)
    return {f for f in (_module_file(n, root) for n in names) if f is not None}


def closure(files: set[Path], root: Path = ROOT) -> set[Path]:
    """`files` and every src file they import, transitively (package __init__ files included)."""
    seen: set[Path] = set()
    todo = list(files)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        init = path.parent / "__init__.py"
        if init.is_file() and init not in seen:
            todo.append(init)
        todo.extend(_direct(path, root) - seen)
    return seen


def code_dependencies(notebook: str | Path, root: Path = ROOT) -> list[str]:
    """Root-relative paths of the src files `notebook` (an .ipynb) depends on, sorted."""
    path = Path(notebook) if Path(notebook).is_absolute() else root / notebook
    direct = _direct(path, root)
    return sorted(p.relative_to(root).as_posix() for p in closure(direct, root))


def module_dependencies(*modules: str, root: Path = ROOT) -> list[str]:
    """Root-relative paths of the given src files (e.g. 'src/pipeline.py') and all they import."""
    found = closure({root / m for m in modules}, root)
    return sorted(p.relative_to(root).as_posix() for p in found)
