"""Who may import whom: shared/ knows no service, no service knows another, and only jobbridge/ (the composition root)
knows them all. Read from the source with `ast`, so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def modules_of(folder: str) -> list[Path]:
    return sorted(path for path in (ROOT / folder).rglob("*.py") if "__pycache__" not in path.parts)


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved against its package, and of
    every `importlib.import_module("…")` or `__import__("…")` of a literal name."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    if path.name == "__init__.py":
        package = path.relative_to(ROOT).parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            yield node.lineno, module
            # `from services import jobs` names a module too: each name is read as one (a class or a function
            # named so only makes the name longer, never another service's).
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__"):
                yield node.lineno, node.args[0].value


def top(module: str) -> str:
    return module.split(".")[0]


def test_the_walk_finds_the_imports_it_looks_for():
    """The checks below are only as good as this reading of a file."""
    probe = ROOT / "services" / "jobs" / "postings" / "service.py"
    assert probe.exists() and any(module == "services.jobs.postings.models" for _, module in imported(probe))
    cli = ROOT / "jobbridge" / "cli.py"
    assert any(module == "jobbridge.platform" for _, module in imported(cli)), "a lazy import inside a function"


def test_shared_imports_no_service_and_not_the_composition_root():
    found = [f"{path.relative_to(ROOT)}:{line} imports {module}"
             for path in modules_of("shared") for line, module in imported(path)
             if top(module) in ("services", "jobbridge")]
    assert not found, "shared/ is the ground floor; it may not reach up:\n" + "\n".join(found)


@pytest.mark.parametrize("service", sorted(p.name for p in (ROOT / "services").iterdir()
                                           if p.is_dir() and (p / "__init__.py").exists()))
def test_a_service_imports_no_other_service_and_not_the_composition_root(service):
    found = [f"{path.relative_to(ROOT)}:{line} imports {module}"
             for path in modules_of(f"services/{service}") for line, module in imported(path)
             if top(module) == "jobbridge"
             or (top(module) == "services" and module.split(".")[1:2] not in ([service], []))]
    assert not found, f"services/{service} reaches into another service or the composition root:\n" + "\n".join(found)


def test_nothing_but_the_service_folders_lives_in_services():
    """Code that knows several services (the platform, the demonstration data) belongs in jobbridge/."""
    loose = [path.name for path in (ROOT / "services").glob("*.py") if path.name != "__init__.py"]
    assert not loose, f"modules outside any service folder: {loose}"


def test_only_the_composition_root_knows_every_service():
    knows = {service for path in modules_of("jobbridge") for _, module in imported(path)
             if top(module) == "services" for service in module.split(".")[1:2]}
    assert knows == {"jobs", "workers", "matching", "notify", "console"}
