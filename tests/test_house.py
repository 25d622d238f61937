"""The house rules, read from the package's own code (see the README's contributors' section):

- imports go one way: the shared vocabulary at the bottom, then runtime, then the stages in pipeline
  order, then the commands; no stage imports a later one, and master and council do not import each other;
- only the library's jobs (kpireport.workspace) take the lock or start processes; the commands (kpireport.cli)
  only parse, call one job and print;
- nothing that only Linux has (fork, fcntl, /proc, prctl, mmap);
- no private attribute of a library (xlsxwriter, python-docx, …), no subclass of their classes;
- what the command line prints is text a cp932 console can show.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kpireport

PACKAGE = Path(kpireport.__file__).resolve().parent

# Lowest first. A module may import modules of its own stage and of lower levels only; two stages on one
# level (master, council) may not import each other.
LEVELS = [
    {"vocabulary"},  # model, values, periods, errors, messages, labels, text_layout, findings_text, bands
    {"runtime"},
    {"plan"},
    {"forms"},
    {"intake"},
    {"validate"},
    {"history"},
    {"evaluate"},
    {"master", "council", "publish"},
    {"demo"},
    {"workspace"},  # the library: a workspace and its jobs
    {"cli"},
    {"__main__"},
]
LEVEL = {stage: number for number, stages in enumerate(LEVELS) for stage in stages}
COMMANDS_ONLY = {"kpireport.runtime.parallel", "kpireport.runtime.lock", "kpireport.runtime.office"}


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return found


MODULES = modules()


def stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] == "__main__":
        return "__main__"
    if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() and parts[1] in LEVEL:
        return parts[1]
    return "vocabulary"


def imports(tree: ast.Module, module: str) -> list[tuple[int, str]]:
    """(line, imported kpireport module) for every import anywhere in the module, functions included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("kpireport")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[:-node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join(package + ([base] if base else []))
            if not base.startswith("kpireport"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if candidate in MODULES else base))
    return found


def test_the_package_is_grouped_by_stage():
    assert {stage(m) for m in MODULES} == set(LEVEL)
    flat = sorted(m for m in MODULES if stage(m) == "vocabulary" and m != "kpireport")
    assert flat == ["kpireport.bands", "kpireport.errors", "kpireport.findings_text", "kpireport.labels", "kpireport.messages",
                    "kpireport.model", "kpireport.periods", "kpireport.text_layout", "kpireport.values"]


def test_imports_go_one_way():
    wrong = []
    for module, tree in MODULES.items():
        here = stage(module)
        for line, target in imports(tree, module):
            there = stage(target)
            if there != here and LEVEL[there] >= LEVEL[here]:
                wrong.append(f"{module}:{line} ({here}) imports {target} ({there})")
    assert wrong == []


def test_only_the_jobs_take_the_lock_or_start_processes():
    wrong = [f"{module}:{line} imports {target}" for module, tree in MODULES.items() if stage(module) != "workspace"
             for line, target in imports(tree, module) if target in COMMANDS_ONLY]
    assert wrong == []


def test_the_commands_call_the_library_only():
    """The command line reaches the stages through the library's jobs, never around them: it may use the
    vocabulary, the console set-up, the library, and the stages' result types it prints."""
    printed_types = {"kpireport.evaluate.missing", "kpireport.evaluate.tally", "kpireport.history.merge"}
    wrong = [f"{module}:{line} imports {target}" for module, tree in MODULES.items() if stage(module) == "cli"
             for line, target in imports(tree, module)
             if stage(target) not in ("vocabulary", "workspace", "cli") and target not in printed_types
             and target != "kpireport.runtime.console"]
    assert wrong == []


PROCESS_MODULES = {"subprocess", "multiprocessing", "concurrent"}


def test_processes_are_started_only_in_the_modules_the_commands_call():
    """Starting a process is for runtime.parallel (workers) and runtime.office (LibreOffice) alone, and only
    the library's jobs import those (above)."""
    wrong = []
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{module}:{node.lineno} imports {name}" for name in names
                      if name.split(".")[0] in PROCESS_MODULES and module not in COMMANDS_ONLY]
    assert wrong == []


def test_the_form_layout_and_the_report_stay_out_of_later_stages():
    """Spelled out because they once did: the form layout imported the feedback writer, the Word report
    imported the Excel master and started processes."""
    def targets(prefix: str) -> set[str]:
        return {t for m, tree in MODULES.items() if m.startswith(prefix) for _, t in imports(tree, m)}

    assert not {t for t in targets("kpireport.forms.layout") if t.startswith("kpireport.validate")}
    assert not {t for t in targets("kpireport.council") if t.startswith(("kpireport.master", "kpireport.runtime"))
                and t != "kpireport.runtime.atomic"}


# --- what Windows lacks ---------------------------------------------------------------------------

LINUX_ONLY_MODULES = {"fcntl", "mmap", "resource", "termios", "pwd", "grp", "posix"}
LINUX_ONLY_ATTRIBUTES = {("os", "fork"), ("os", "forkpty"), ("os", "sched_getaffinity"), ("os", "getuid"),
                         ("os", "geteuid"), ("os", "setsid"), ("os", "killpg"), ("signal", "SIGKILL"),
                         ("signal", "SIGALRM"), ("signal", "SIGCHLD"), ("signal", "alarm")}


def test_nothing_only_linux_has():
    wrong = []
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                wrong += [f"{module}:{node.lineno} import {a.name}" for a in node.names
                          if a.name.split(".")[0] in LINUX_ONLY_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in LINUX_ONLY_MODULES:
                wrong.append(f"{module}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in LINUX_ONLY_ATTRIBUTES:
                    wrong.append(f"{module}:{node.lineno} {node.value.id}.{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "/proc/" in node.value or node.value == "fork":
                    wrong.append(f"{module}:{node.lineno} {node.value!r}")
            elif isinstance(node, ast.Name) and node.id in ("prctl", "CDLL"):
                wrong.append(f"{module}:{node.lineno} {node.id}")
            if isinstance(node, ast.Attribute) and node.attr in ("prctl", "CDLL", "mmap"):
                wrong.append(f"{module}:{node.lineno} .{node.attr}")
    assert wrong == []


# --- public APIs only -----------------------------------------------------------------------------

# The one exception, with its reason in the code: openpyxl has no public way to ask whether a cell is
# stored without creating it (a created cell takes the default style and would lock an input cell).
PRIVATE_ALLOWED = {("kpireport.validate.feedback", "_cells"), ("*", "_exit")}  # os._exit is public API


def own_private_names() -> set[str]:
    """Underscored names the package itself defines (functions, classes, attributes, fields)."""
    names = set()
    for tree in MODULES.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_no_private_attribute_of_a_library():
    ours = own_private_names()
    wrong = []
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith("_") or name.startswith("__"):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            if (module, name) in PRIVATE_ALLOWED or ("*", name) in PRIVATE_ALLOWED:
                continue
            if name not in ours:
                wrong.append(f"{module}:{node.lineno} .{name}")
    assert wrong == []


def test_no_class_of_xlsxwriter_or_python_docx_is_subclassed_or_swapped():
    wrong = []
    for module, tree in MODULES.items():
        library_names = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                         and (node.module or "").split(".")[0] in ("xlsxwriter", "docx", "openpyxl")
                         for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                wrong += [f"{module}:{node.lineno} class {node.name}({b})" for b in bases & library_names]
            if isinstance(node, ast.Attribute) and node.attr in ("__class__", "__dict__") and isinstance(
                    node.ctx, ast.Store):
                wrong.append(f"{module}:{node.lineno} assigns {node.attr}")
            if isinstance(node, ast.Attribute) and node.attr == "__dict__":
                wrong.append(f"{module}:{node.lineno} reaches into __dict__")
    assert wrong == []


# --- what the console can show --------------------------------------------------------------------

# Text that is never printed: documents (the Word report and the Excel master are Unicode) and the
# look-alike table of the console itself.
NOT_PRINTED = ("kpireport.council", "kpireport.master", "kpireport.runtime.console")
# Calls whose string arguments describe input to recognise, not output.
INPUT_CALLS = {"compile", "match", "fullmatch", "search", "sub", "split", "findall", "finditer", "maketrans",
               "strip", "lstrip", "rstrip", "set", "frozenset"}


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _input_constants(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in INPUT_CALLS:
                for argument in node.args:
                    ids.update(id(n) for n in ast.walk(argument) if isinstance(n, ast.Constant))
    return ids


def test_printed_texts_are_cp932():
    wrong = []
    for module, tree in MODULES.items():
        if module.startswith(NOT_PRINTED):
            continue
        skip = _docstrings(tree) | _input_constants(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                outside = {c for c in node.value if not _cp932(c)}
                if outside:
                    wrong.append(f"{module}:{node.lineno} {''.join(sorted(outside))!r} in {node.value[:40]!r}")
    assert wrong == []


def _cp932(character: str) -> bool:
    try:
        character.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("text", ["− 評価不能", "〜", "絵文字😀", "é"])
def test_the_console_never_raises_and_uses_look_alikes(text):
    import io

    from kpireport.runtime import console

    stream = io.TextIOWrapper(io.BytesIO(), encoding="cp932", errors="strict")
    stream.reconfigure(errors=console.ERRORS)
    stream.write(text)
    stream.flush()
    shown = stream.buffer.getvalue().decode("cp932")
    assert len(shown) == len(text)
    assert shown == "".join(console.LOOK_ALIKES.get(c, c if _cp932(c) else "?") for c in text)
