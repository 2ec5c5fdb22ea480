"""The progress counters equal a full recount: after payments (on several days), voids, a 冲红,
a plan import, a 代缴 import, people's categories changed and the campaign's birth window
changed, every village, township and total row of the dashboard, its daily points and the admin
home are the same read from the counters as counted from people and payments, for today and
for every past day of the window; and `flask recount-progress` agrees and repairs."""
from datetime import date, timedelta

import pytest

from tests.factories import valid_id
from tests.paperwork.util import PLAN_HEADERS, xlsx_bytes
from webapp.extensions import db
from webapp.models import Campaign, Person
from webapp.models.progress_counters import ProgressLines
from webapp.services import campaigns, corrections, counters, handover, imports, payments, people, progress
from webapp.timeutil import local_day_start_utc, today_local


def _report(actor, day, recount, area_code=None):
    p = progress.progress_report(actor, area_code=area_code, day=day, recount=recount)
    return ([f.as_dict() for f in [p.total, *p.townships, *p.villages]],
            [(d.day, d.lines, d.fen) for d in p.daily])


def assert_counted_equals_recount(world):
    """Dashboard (district, each township) for today and each past day of the window, admin home,
    and no difference between stored and recounted counter rows."""
    today = today_local()
    for username, area_codes in (("dadmin", [None, world.T1, world.T2]), ("tadmin1", [None])):
        actor = world.actor(username)
        for code in area_codes:
            for back in range(0, 8):
                day = today - timedelta(days=back)
                assert _report(actor, day, False, code) == _report(actor, day, True, code), (username, code, day)
        assert progress.home_summary(actor) == progress.home_summary(actor, recount=True)
    assert counters.differences() == []


@pytest.fixture
def at_day(monkeypatch):
    """Make payments and voids happen `n` days ago at 10:00 China time, through the services."""
    def move(n):
        at = local_day_start_utc(today_local() - timedelta(days=n)) + timedelta(hours=10)
        monkeypatch.setattr(payments, "now_utc", lambda: at)
    return move


def _people(world):
    """Registered ten days ago (payments are made on the days before today below)."""
    p = world.person
    made = dict(
        a=p(world.V1, name="甲一", birth=date(1980, 1, 1)),
        b=p(world.V1, name="乙二", birth=date(1940, 1, 1)),                       # medical only
        c=p(world.V1, name="丙三", birth=date(world.campaign.year - 20, 1, 1), is_student=True),
        d=p(world.V1, name="丁四", birth=date(1985, 1, 1), employee_pension=True, employee_medical=True),
        e=p(world.V1, name="戊五", birth=date(1990, 1, 1), new_enrollee=True),
        f=p(world.V2, name="己六", birth=date(1975, 1, 1), new_enrollee=True),
        g=p(world.V2, name="庚七", birth=date(1970, 1, 1), is_dibao=True),
        h=p(world.V3, name="辛八", birth=date(1972, 1, 1)),
    )
    for person in db.session.scalars(db.select(Person)):
        person.created_at -= timedelta(days=10)
    counters.rebuild()
    db.session.commit()
    return made


def test_counters_equal_the_recount_after_every_kind_of_change(world, at_day, monkeypatch):
    x = _people(world)
    assert_counted_equals_recount(world)

    at_day(6)
    ra = world.pay("coord1", (x["a"], "pension", 20000), (x["a"], "medical"))
    re_ = world.pay("coord1", (x["e"], "pension", 30000))
    at_day(5)
    rf = world.pay("coord2", (x["f"], "pension", 20000), (x["f"], "medical"))
    world.pay("coord1", (x["e"], "medical"))                  # a second live line of a new enrollee
    assert_counted_equals_recount(world)

    at_day(3)
    payments.void_receipt(world.actor("coord1"), re_.number, "档次选错")   # e still covered (medical)
    payments.void_receipt(world.actor("coord2"), rf.number, "录错了人")    # f no longer covered
    world.pay("coord1", (x["e"], "pension", 20000))                        # paid again the same day
    at_day(2)
    world.pay("coord2", (x["f"], "medical"))                               # f covered again
    rg = world.pay("coord2", (x["g"], "medical"))
    payments.void_receipt(world.actor("coord2"), rg.number, "重复")        # voided the day it was made
    assert_counted_equals_recount(world)

    monkeypatch.undo()
    world.pay("coord3", (x["h"], "pension", 20000))
    world.pay("coord1", (x["b"], "medical"))
    # 冲红 of a handed-over receipt (approval voids it, today).
    h = handover.create_handover(world.actor("coord1"), world.V1, [ra.number], bank_slip_no="YH-1",
                                 amount_yuan=f"{ra.total_fen / 100:.2f}")
    handover.confirm_handover(world.actor("tadmin1"), h.id, received_yuan=f"{ra.total_fen / 100:.2f}")
    c = corrections.propose(world.actor("tadmin1"), ra.number, "误收")
    corrections.decide(world.actor("dadmin"), c.id, True)
    assert_counted_equals_recount(world)

    # People's categories change: covered lines move, expected counts move, a new enrollee stops
    # being one (their coverage history leaves the count) and another becomes one.
    for key, flags in (("a", {"employee_pension": True}), ("e", {}), ("b", {"new_enrollee": True}),
                       ("d", {"employee_pension": True}), ("c", {"is_student": False})):
        person = db.session.get(Person, x[key].id)
        people.update_person(world.actor("coord1"), person.id, address=person.address, phone=person.phone,
                             relation=person.relation, flags=flags)
    assert_counted_equals_recount(world)

    # A plan import adds people (expected counts move); a 代缴 import marks some.
    rows = [PLAN_HEADERS,
            ["0009", "张三", valid_id(date(1980, 5, 17), True, seed=31), "户主", "曹镇村东街1号", "13800138000",
             "", "否"],
            ["0009", "王五", valid_id(date(2008, 2, 3), True, seed=33), "子", "", "", "在校学生", ""],
            ["", "赵老", valid_id(date(1940, 1, 1), True, seed=34), "", "曹镇村西街9号", "", "", "是"]]
    imports.import_plan(world.actor("tadmin1"), "plan.xlsx", xlsx_bytes(rows), village_code=world.V1)
    imports.import_gov(world.actor("tadmin1"), "d.csv",
                       "姓名,身份证号\n己六,{}\n".format(db.session.get(Person, x["f"].id).id_number).encode(),
                       group="dibao")
    assert_counted_equals_recount(world)

    # The campaign's pension birth window changes: who is expected (and covered) changes for all.
    c = db.session.get(Campaign, world.campaign.id)
    data = campaigns.input_from(c)
    data.pension_born_from = date(1979, 1, 1)
    campaigns.update_campaign(world.actor("dadmin"), c.id, data)
    assert_counted_equals_recount(world)


def test_python_and_sql_agree_on_who_is_expected(world):
    """counters.expects (payments, edits) and the backfill's SQL (migration, recount) give the
    same rows for the same people: a rebuild changes nothing."""
    x = _people(world)
    for key in "abcefgh":
        world.pay({"f": "coord2", "g": "coord2", "h": "coord3"}.get(key, "coord1"), (x[key], "medical"))
    a = db.session.get(Person, x["a"].id)   # paid, then found in the employee scheme
    people.update_person(world.actor("coord1"), a.id, address=a.address, phone=a.phone, relation=a.relation,
                         flags={"employee_medical": True})
    covered = {}
    for r in db.session.scalars(db.select(ProgressLines)):
        covered[r.covered] = covered.get(r.covered, 0) + r.lines
    assert covered == {0: 1, 1: 6}
    assert counters.differences() == []


def test_recount_command_checks_and_repairs(world, runner):
    x = _people(world)
    world.pay("coord1", (x["a"], "pension", 20000))
    assert runner.invoke(args=["recount-progress", "--check"]).exit_code == 0
    db.session.execute(db.update(ProgressLines).values(lines=ProgressLines.lines + 5))
    db.session.commit()
    result = runner.invoke(args=["recount-progress", "--check"])
    assert result.exit_code == 1 and "1 行不一致" in result.output
    assert counters.differences() != []
    result = runner.invoke(args=["recount-progress"])
    assert result.exit_code == 0 and "已按重新统计修复" in result.output
    assert counters.differences() == []
    assert runner.invoke(args=["recount-progress", "--campaign", "1999"]).exit_code != 0


def test_the_migration_backfills_the_counters_from_existing_data(world, app):
    """Data recorded before the counters existed: going down to the revision before them and up
    again recounts them with the migration's SQL, equal to the recount on SQLite and PostgreSQL."""
    from flask_migrate import downgrade, stamp, upgrade
    x = _people(world)
    world.pay("coord1", (x["a"], "pension", 20000), (x["a"], "medical"))
    world.pay("coord1", (x["e"], "pension", 30000))
    r = world.pay("coord2", (x["f"], "pension", 20000), (x["f"], "medical"))
    payments.void_receipt(world.actor("coord2"), r.number, "录错了人")
    world.pay("coord2", (x["f"], "medical"))
    stored = {t: counters._stored(t, None) for t in counters.TABLES}
    db.session.commit()
    stamp()
    downgrade(revision="city0001")
    upgrade()
    assert {t: counters._stored(t, None) for t in counters.TABLES} == stored
    assert stored[ProgressLines]
    assert_counted_equals_recount(world)
