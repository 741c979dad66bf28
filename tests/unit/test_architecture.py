"""The layers contract holds, catches a wrong-way import, and no modules of service/ import each other in a cycle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from tests.conftest import ROOT

LINT = Path(sys.executable).with_name("lint-imports")


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative; components of more than one module are cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out


def test_no_two_modules_of_service_import_each_other_in_a_cycle():
    g = grimp.build_graph("service", cache_dir=None)
    # a package's __init__ re-exporting its own modules is not a cycle between modules
    edges = {m: {i for i in g.find_modules_directly_imported_by(m) if not m.startswith(i + ".")} for m in g.modules}
    cycles = [c for c in _strongly_connected(edges) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_no_flat_modules_at_the_package_root():
    flat = {p.name for p in (ROOT / "service").glob("*.py")}
    assert flat == {"__init__.py", "__main__.py"}, flat


def test_the_layers_contract_is_kept():
    run = subprocess.run([str(LINT)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_wrong_way_import_breaks_the_contract_with_a_message_naming_it(tmp_path):
    """A copy of the package in which core imports http: lint-imports must fail and name the import."""
    shutil.copytree(ROOT / "service", tmp_path / "service", ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "service" / "core" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom service.http import security  # wrong way\n")
    run = subprocess.run([str(LINT), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "BROKEN" in run.stdout and "service.core.errors -> service.http.security" in run.stdout, run.stdout


def test_a_question_goes_to_the_answerer_once():
    """Issue 22 (part 5): the pipeline hands what it retrieved to answering.respond and gets the Answer
    back; it does not call the answerer's parts itself (decide, the list unit) nor keep any of them."""
    graph = grimp.build_graph("service")
    pipeline = {m for m in graph.modules if m.startswith("service.pipeline")}
    query = graph.find_modules_directly_imported_by("service.pipeline.query")
    answering = {m for m in query if m.startswith("service.answering")}
    assert "service.answering.respond" in answering
    assert "service.answering.list_answer" not in answering
    assert not any("list_answer" in m for m in pipeline)
    text = (ROOT / "service" / "pipeline" / "query.py").read_text(encoding="utf-8")
    assert text.count("respond(") == 1 and "decide(" not in text and "list_answer(" not in text
