"""Rules defined once (issue 14, part 2): roles, person categories and number formats each live
in one module of webapp/rules/; everything else names them. Checked on the source, so the
thirteenth copy of a role tuple fails here instead of drifting."""
import ast
import re
from pathlib import Path

import pytest

WEBAPP = Path(__file__).resolve().parent.parent / "webapp"
ROLE_NAMES = {"coordinator", "township_admin", "district_admin"}

# Files another engineer is rewriting at the same time (issue 14 part 3: check_plan); they name
# roles through rules.roles once that split lands. Keep this list short and named.
NOT_YET = {"services/imports.py"}


def _py_files():
    return [p for p in sorted(WEBAPP.rglob("*.py")) if p.relative_to(WEBAPP).as_posix() not in NOT_YET]


def _string_constants_not_keys(tree):
    """String constants in the code, leaving out dict keys and keyword names (a receipt's
    "coordinator" field is a word of the document, not a role)."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys |= {id(k) for k in node.keys if k is not None}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in keys:
            yield node


@pytest.mark.parametrize("path", _py_files(), ids=lambda p: p.relative_to(WEBAPP).as_posix())
def test_roles_are_named_not_spelled(path):
    if path == WEBAPP / "rules" / "roles.py":
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spelled = [f"{path.name}:{n.lineno} {n.value!r}" for n in _string_constants_not_keys(tree)
               if n.value in ROLE_NAMES]
    assert not spelled, f"use webapp.rules.roles instead of spelling a role: {spelled}"


def test_templates_name_roles_through_the_context():
    spelled = []
    for path in sorted((WEBAPP / "templates").rglob("*.html")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""['"](coordinator|township_admin|district_admin)['"]""", line):
                spelled.append(f"{path.relative_to(WEBAPP)}:{i}")
    assert not spelled, f"templates use roles.COORDINATOR / roles.ADMINS …: {spelled}"


def test_role_groups_are_defined_in_rules_only():
    """No module but rules/roles.py builds a tuple of roles of its own (ADMINS = (…), …)."""
    offenders = []
    for path in _py_files():
        if path == WEBAPP / "rules" / "roles.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in {"ADMINS", "ALL_ROLES", "CONFIRMERS", "ROLE_LEVEL"}
                    and not (isinstance(node.value, ast.Attribute)) for t in node.targets):
                offenders.append(f"{path.relative_to(WEBAPP)}:{node.lineno}")
    assert not offenders, offenders


def test_the_database_constraint_lists_the_same_roles():
    from webapp.models import User
    from webapp.rules import roles
    check = next(c for c in User.__table__.constraints if getattr(c, "name", "") in ("role", "ck_users_role"))
    assert set(re.findall(r"'(\w+)'", str(check.sqltext))) == set(roles.ALL)
    assert check.sqltext.text == "role IN ('district_admin', 'township_admin', 'coordinator')"   # as migrated
