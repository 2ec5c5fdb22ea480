"""The layers' import rules (docs/architecture.md), checked on the source: a rule that is only
written down is broken by the first hurried change.

rules/     pure: the standard library and a few pure libraries; no Flask, no database, no app
printing/  plain data to document bytes (PDF): the rules and pure libraries (WeasyPrint, Jinja,
           pypdf, qrcode); no Flask, no database, no models, no services
services/  the use cases: the database, the rules and printing, never Flask (no request,
           current_app, render_template): the CLI, the API and the pages all call them
views/     may import anything below them; nothing imports the views
"""
import ast
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"

# The libraries a rule may use: pure functions of their input (ID checks, country names, capitals, pinyin, QR
# matrices, spreadsheet bytes to cells); nothing that holds state or reaches the app.
RULES_MAY_IMPORT = {"stdnum", "cn2an", "pypinyin", "qrcode", "python_calamine", "openpyxl", "pycountry"}
APP_LAYERS = ("webapp.models", "webapp.services", "webapp.views", "webapp.extensions", "webapp.commands")


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Absolute names of every module a file imports (relative imports resolved)."""
    package = package or ".".join(path.relative_to(WEBAPP.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def top(name: str) -> str:
    return name.split(".")[0]


def python_files(folder: str):
    return sorted((WEBAPP / folder).rglob("*.py"))


@pytest.mark.parametrize("path", python_files("rules"), ids=lambda p: p.name)
def test_rules_are_pure(path):
    stdlib = set(__import__("sys").stdlib_module_names)
    for name in imported_modules(path):
        if name.startswith("webapp."):
            assert name.startswith("webapp.rules"), f"{path.name} imports {name}: rules import no app layer"
        else:
            assert top(name) in stdlib | RULES_MAY_IMPORT, f"{path.name} imports {name}"


# What never reaches a document: the app, its requests, its database and what is built on them.
NOT_IN_PRINTING = {"flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}


@pytest.mark.parametrize("path", python_files("printing"), ids=lambda p: p.name)
def test_printing_draws_plain_data_only(path):
    for name in imported_modules(path):
        if name.startswith("webapp."):
            assert name.startswith(("webapp.rules", "webapp.printing")), \
                f"printing/{path.name} imports {name}: a document is drawn from plain data, by rules"
        else:
            assert top(name) not in NOT_IN_PRINTING, f"printing/{path.name} imports {name}"


@pytest.mark.parametrize("path", python_files("services"), ids=lambda p: p.name)
def test_services_import_no_flask_and_no_views(path):
    names = imported_modules(path)
    assert not any(n.startswith(("webapp.views", "webapp.commands")) for n in names), path.name
    assert not any(top(n) in {"flask", "flask_login", "flask_wtf"} for n in names), \
        f"services/{path.name} imports Flask: take plain values and return plain values"
    source = path.read_text(encoding="utf-8")
    assert "current_app" not in source and "render_template" not in source, path.name


def test_nothing_imports_the_views():
    for path in WEBAPP.rglob("*.py"):
        if "views" in path.relative_to(WEBAPP).parts or path.name == "__init__.py" and path.parent == WEBAPP:
            continue
        assert not any(n.startswith("webapp.views") for n in imported_modules(path)), path


def test_the_checker_sees_what_a_file_imports(tmp_path):
    """The check itself can fail: relative and absolute imports are both seen."""
    path = tmp_path / "probe.py"
    path.write_text("from flask import current_app\nfrom ..models import User\nfrom . import tx\n")
    names = imported_modules(path, package="webapp.services")
    assert {"flask", "webapp.models", "webapp.models.User", "webapp.services.tx"} <= names
    assert any(n.startswith(APP_LAYERS) for n in imported_modules(WEBAPP / "services" / "payments.py"))
