"""Read a student's step file and flag code that could reach around the tests.

The four exercises need data work (pandas, NumPy, scikit-learn, seqeval, ``re``, ``math``...),
never the harness, the reference, other processes or the interpreter's internals. The scan
is advice to the instructor, not the defence (the sandbox is): it lists suspicious lines in the
gradebook, and a flagged step keeps its score unless the instructor grades with
``--zero-flagged``. Each flag says what was found and on which line, so a false alarm is quick
to check by eye.

>>> flags_in_source("import os\\nos._exit(0)\\n")
['line 2: os._exit (ends or signals processes)']
>>> flags_in_source("import re\\nWORD = re.compile(r'\\\\w+')\\n")
[]
"""

from __future__ import annotations

import ast
import threading

#: Modules a step file has no business importing, and why.
FORBIDDEN_MODULES = {
    "solutions": "imports the reference or the grading tools",
    "tests": "imports the tests or the harness",
    "pytest": "imports pytest (skip, exit and hooks belong to the tests)",
    "_pytest": "imports pytest internals",
    "pluggy": "imports pytest's plugin system",
    "hypothesis": "imports the property-test library",
    "atexit": "runs code at exit",
    "subprocess": "spawns processes",
    "multiprocessing": "spawns processes",
    "concurrent": "spawns processes or threads",
    "threading": "starts threads",
    "_thread": "starts threads",
    "signal": "handles signals",
    "ctypes": "reaches into the interpreter",
    "gc": "reaches into the interpreter's objects",
    "inspect": "reaches into frames and other modules",
    "importlib": "imports modules by name",
    "builtins": "changes built-in functions",
    "faulthandler": "changes crash handling",
    "resource": "changes process limits",
    "socket": "opens network connections",
    "pty": "spawns processes",
    "runpy": "runs other code",
    "code": "runs other code",
    "sysconfig": "reaches into the installation",
    "site": "reaches into the installation",
}
#: Attribute names that end, signal or replace processes, or reach into the interpreter.
FORBIDDEN_ATTRIBUTES = {
    **dict.fromkeys(
        ("_exit", "abort", "kill", "killpg", "fork", "forkpty", "system", "popen"),
        "ends or signals processes",
    ),
    **dict.fromkeys(("write", "writelines", "dup", "dup2", "fdopen"), "writes to files or streams"),
    **dict.fromkeys(("environ", "putenv", "unsetenv", "chdir"), "changes the process"),
    **dict.fromkeys(
        (
            "modules",
            "meta_path",
            "path_hooks",
            "settrace",
            "setprofile",
            "excepthook",
            "addaudithook",
            "_getframe",
            "setrecursionlimit",
            "exit",
        ),
        "changes the interpreter or exits",
    ),
    **dict.fromkeys(
        (
            "__globals__",
            "__builtins__",
            "__subclasses__",
            "__code__",
            "__closure__",
            "f_back",
            "f_globals",
            "f_locals",
            "f_builtins",
            "tb_frame",
            "gi_frame",
            "cr_frame",
            "__reduce__",
            "__reduce_ex__",
        ),
        "reaches into frames or other modules",
    ),
    **dict.fromkeys(
        (
            "write_text",
            "write_bytes",
            "unlink",
            "rmdir",
            "touch",
            "symlink_to",
            "hardlink_to",
            "chmod",
            "rmtree",
        ),
        "writes or deletes files",
    ),
}
#: Attribute names whose prefix is enough (``os.execv``, ``os.spawnl``, ...).
FORBIDDEN_PREFIXES = {
    "exec": "replaces the process",
    "spawn": "spawns processes",
    "posix_spawn": "spawns processes",
}
#: Built-in functions that run or reach code by name.
FORBIDDEN_CALLS = {
    "exec": "runs code from a string",
    "eval": "runs code from a string",
    "compile": "compiles code from a string",
    "__import__": "imports modules by name",
    "globals": "reaches into module globals",
    "locals": "reaches into frames",
    "vars": "reaches into objects' namespaces",
    "setattr": "changes attributes by name",
    "delattr": "deletes attributes by name",
    "breakpoint": "stops in a debugger",
    "input": "waits for input",
    "exit": "ends the process",
    "quit": "ends the process",
}
#: Names that reach the interpreter's machinery directly.
FORBIDDEN_NAMES = {
    "__builtins__": "changes built-in functions",
    "__loader__": "reaches into the import system",
    "__spec__": "reaches into the import system",
}
_WRITE_MODES = set("wax+")
#: One parse at a time: CPython 3.11's AST builder keeps its recursion count per interpreter,
#: not per thread, so two threads parsing at once (the grader scans several submissions in
#: parallel) can fail with "SystemError: AST constructor recursion depth mismatch".
_PARSE_LOCK = threading.Lock()


def flags_in_source(source: str) -> list[str]:
    """Every suspicious construct in ``source`` as ``"line N: what (why)"``, in line order."""
    try:
        with _PARSE_LOCK:
            tree = ast.parse(source)
    except SyntaxError as error:
        return [f"line {error.lineno}: the file does not parse ({error.msg})"]
    except (RecursionError, MemoryError) as error:
        return [f"line 1: the file is too deeply nested to scan ({type(error).__name__})"]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        found += [(node.lineno, text) for text in _flags_of(node)]
    return [f"line {line}: {text}" for line, text in sorted(set(found))]


def _flags_of(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [_module_flag(alias.name) for alias in node.names if _module_flag(alias.name)]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return ["a relative import (imports by position, not by name)"]
        flag = _module_flag(node.module or "")
        names = [_attribute_flag(alias.name, alias.name) for alias in node.names]
        return [text for text in [flag, *names] if text]
    if isinstance(node, ast.Attribute):
        flag = _attribute_flag(node.attr, _dotted(node))
        return [flag] if flag else []
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _call_flags(node)
    if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
        return [f"{node.id} ({FORBIDDEN_NAMES[node.id]})"]
    return []


def _module_flag(name: str) -> str | None:
    top = name.split(".")[0]
    reason = FORBIDDEN_MODULES.get(top)
    return f"import {name} ({reason})" if reason else None


def _attribute_flag(name: str, shown: str) -> str | None:
    reason = FORBIDDEN_ATTRIBUTES.get(name)
    if reason is None:
        reason = next(
            (why for prefix, why in FORBIDDEN_PREFIXES.items() if name.startswith(prefix)), None
        )
    return f"{shown} ({reason})" if reason else None


def _call_flags(node: ast.Call) -> list[str]:
    name = node.func.id
    if name in FORBIDDEN_CALLS:
        return [f"{name}() ({FORBIDDEN_CALLS[name]})"]
    if name == "open":
        return _open_flags(node)
    if name in {"getattr", "hasattr"} and len(node.args) > 1:
        attribute = node.args[1]
        if isinstance(attribute, ast.Constant) and isinstance(attribute.value, str):
            flag = _attribute_flag(attribute.value, f"{name}(..., {attribute.value!r})")
            return [flag] if flag else []
    return []


def _open_flags(node: ast.Call) -> list[str]:
    """``open`` is fine for reading a path; writing, or opening a raw file descriptor, is not."""
    mode = node.args[1] if len(node.args) > 1 else None
    mode = next((k.value for k in node.keywords if k.arg == "mode"), mode)
    first = node.args[0] if node.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, int):
        return ["open() of a file descriptor (writes to raw file descriptors)"]
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        if _WRITE_MODES & set(mode.value):
            return [f"open(..., {mode.value!r}) (writes files)"]
    elif mode is not None:
        return ["open() with a computed mode (may write files)"]
    return []


def _dotted(node: ast.Attribute) -> str:
    parts = [node.attr]
    value = node.value
    while isinstance(value, ast.Attribute):
        parts.append(value.attr)
        value = value.value
    if isinstance(value, ast.Name):
        parts.append(value.id)
    return ".".join(reversed(parts))
