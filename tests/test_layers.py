"""The layers' one direction of travel, read from the source: soap/ -> domain/ -> store/, admin/ -> domain/.

The store layer owns how each table is read and written (issue 15, item 3): domain code states
Marketo's rules, and hands its session to a repository for every query, row added or deleted and flush.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mockmkto"


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).glob("*.py"))


def imported(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for each import statement of a file: `import x` gives (x, [])."""
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def within(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def by_name(paths: list[Path]) -> list:
    return [pytest.param(path, id=path.name) for path in paths]


@pytest.mark.parametrize("path", by_name(modules("domain")))
def test_domain_builds_no_sql(path):
    """Only the Session type comes from SQLAlchemy, for annotations: queries are the store's."""
    for module, names in imported(path):
        if within(module, "sqlalchemy"):
            assert (module, names) == ("sqlalchemy.orm", ["Session"]), f"{path.name} imports {names} from {module}"


@pytest.mark.parametrize("path", by_name(modules("domain")))
def test_domain_never_manages_the_session(path):
    """No add, flush, merge, delete, execute, get, ... on a session: a repository in store/ does it."""
    calls = [
        f"line {node.lineno}: session.{node.func.attr}()"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
    ]
    assert calls == []


@pytest.mark.parametrize("path", by_name(modules("domain")))
def test_domain_knows_no_soap_http_or_admin(path):
    for module, _ in imported(path):
        assert not within(module, "mockmkto.soap", "mockmkto.admin", "spyne", "werkzeug", "waitress"), module


@pytest.mark.parametrize("path", by_name(modules("store")))
def test_store_knows_no_layer_above_it(path):
    for module, _ in imported(path):
        assert not within(module, "mockmkto.domain", "mockmkto.soap", "mockmkto.admin", "spyne", "werkzeug"), module


@pytest.mark.parametrize("path", by_name(modules("admin")))
def test_admin_talks_to_the_domain_never_to_spyne(path):
    for module, _ in imported(path):
        assert not within(module, "mockmkto.soap", "spyne", "sqlalchemy"), module
