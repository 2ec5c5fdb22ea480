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
NOT_YET: set = set()   # every module names roles through rules/roles.py


def _py_files():
    return [p for p in sorted(WEBAPP.rglob("*.py")) if p.relative_to(WEBAPP).as_posix() not in NOT_YET]


def _string_constants_not_keys(tree):
    """String constants in the code, leaving out dict keys and subscripts (a receipt's "coordinator" field is a
    word of the document, not a role) and findings' codes."""
    keys = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys |= {id(k) for k in node.keys if k is not None}
        if isinstance(node, ast.Subscript):
            keys.add(id(node.slice))
        # A finding's code ("employee_pension": already insured as an employee) is the API's word.
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Finding":
            keys |= {id(a) for a in node.args}
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
    assert set(re.findall(r"'(\w+)'", str(check.sqltext))) == set(roles.LABELS) == {*roles.ALL, roles.CITY_ADMIN}
    # as migrated (counters0001)
    assert check.sqltext.text == "role IN ('city_admin', 'district_admin', 'township_admin', 'coordinator')"


# --- person categories -------------------------------------------------------------------------

def _flag_names():
    from webapp.rules.categories import PERSON_FLAGS
    return set(PERSON_FLAGS)


@pytest.mark.parametrize("path", _py_files(), ids=lambda p: p.relative_to(WEBAPP).as_posix())
def test_person_flags_are_named_not_spelled(path):
    """Only rules/categories.py spells `is_dibao` & co as strings; the demo's generated people
    (a dict of values per flag) may use them as keys."""
    # The OpenAPI description lists the answers' field names: the API's wire format.
    if path in (WEBAPP / "rules" / "categories.py", WEBAPP / "views" / "api_doc.py"):
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    spelled = [f"{path.name}:{n.lineno} {n.value!r}" for n in _string_constants_not_keys(tree)
               if n.value in _flag_names()]
    assert not spelled, f"use webapp.rules.categories.PERSON_FLAGS: {spelled}"


def test_templates_take_the_flags_from_the_context():
    names = "|".join(sorted(_flag_names()))
    spelled = [f"{p.relative_to(WEBAPP)}:{i}" for p in sorted((WEBAPP / "templates").rglob("*.html"))
               for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(rf"""['"]({names})['"]""", line)]
    assert not spelled, spelled


def test_every_flag_is_a_column_a_check_box_and_audited():
    from sqlalchemy import Boolean

    from webapp.forms import PersonEditForm, PersonForm
    from webapp.models import Person
    from webapp.services.people import AUDITED, FLAGS
    bool_columns = {c.name for c in Person.__table__.columns if isinstance(c.type, Boolean)}
    assert _flag_names() <= bool_columns
    assert bool_columns - _flag_names() == {"is_head"}     # not a category: who heads the household
    assert set(FLAGS) == _flag_names() and _flag_names() <= set(AUDITED)
    for form in (PersonForm, PersonEditForm):
        assert _flag_names() <= {name for name in dir(form) if not name.startswith("_")}


def test_plan_list_words_map_onto_the_flags():
    from webapp.rules.spreadsheet import CATEGORY_FLAGS, parse_categories
    assert set(CATEGORY_FLAGS.values()) == _flag_names()
    assert parse_categories("低保、在校学生") == ({"is_dibao", "is_student"}, [])    # the wire format
