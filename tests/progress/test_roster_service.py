"""Publishing rosters: who may, what a snapshot holds, versions, and what stays unchanged."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent, RosterRow, RosterVersion
from webapp.printing import roster as roster_print
from webapp.services import payments, roster
from webapp.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from webapp.services.site import Site
from webapp.timeutil import today_local


def publish(world, code=None, **kw):
    args = dict(posting_start=today_local(), posting_end=today_local() + timedelta(days=6),
                office_phone="0375-2612345") | kw
    return roster.publish_roster(world.actor("dadmin"), code or world.V1, **args)


def test_publish_snapshots_the_payers_as_plain_rows(world, known):
    v = publish(world)
    assert (v.version, v.row_count, v.village_code) == (1, 3, world.V1)
    assert (v.pension_total_fen, v.medical_total_fen, v.total_fen) == (50000, 50000, 100000)
    rows = db.session.scalars(select(RosterRow).where(RosterRow.roster_id == v.id).order_by(RosterRow.seq)).all()
    assert [(r.seq, r.name) for r in rows] == [(1, "甲一"), (2, "乙二"), (3, "戊五")]
    a = rows[0]
    assert (a.id_masked, a.pension_fen, a.medical_fen, a.total_fen, a.paid_on) == (
        known.a.id_masked, 20000, 25000, 45000, today_local())
    assert rows[2].medical_fen is None and rows[2].pension_fen == 30000
    assert v.unit_name == "湛河区曹镇乡曹镇村村民委员会" and v.title.endswith("缴费名单公示")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.publish"))
    assert event.user_id == world.users["dadmin"].id and "第 1 版" in event.summary


def test_rows_are_ordered_by_household_then_name(world):
    head = world.person(world.V3, name="赵大")
    other = world.person(world.V3, name="钱二")                       # a later household
    wife = world.person(world.V3, name="艾小", household=head.household_id)
    son = world.person(world.V3, name="赵小", household=head.household_id)
    for p in (other, son, head, wife):
        world.pay("coord3", (p, "medical"))
    v = publish(world, world.V3)
    # Household first, then pinyin within it (ai < zhaoda < zhaoxiao), whatever the order paid.
    assert [(r.seq, r.name) for r in v.rows] == [(1, "艾小"), (2, "赵大"), (3, "赵小"), (4, "钱二")]


def test_only_district_admins_publish(world, known):
    for username in ("tadmin1", "coord1"):
        with pytest.raises(Forbidden):
            roster.publish_roster(world.actor(username), world.V1, posting_start=today_local(),
                                  posting_end=today_local(), office_phone="0375-2612345")


def test_publish_checks_its_input(world, known):
    with pytest.raises(ValidationFailed) as e:
        publish(world, posting_start=None, posting_end=None, office_phone="")
    assert set(e.value.errors) == {"posting_start", "posting_end", "office_phone"}
    with pytest.raises(ValidationFailed) as e:
        publish(world, posting_end=today_local() - timedelta(days=1), posting_start=today_local())
    assert e.value.errors["posting_end"] == "结束日期不能早于开始日期"
    with pytest.raises(ValidationFailed) as e:
        publish(world, posting_start=today_local() - timedelta(days=9), posting_end=today_local() - timedelta(days=2))
    assert "公示期已过" in e.value.errors["posting_end"]
    with pytest.raises(ValidationFailed) as e:
        publish(world, office_phone="12345")
    assert "office_phone" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        publish(world, world.V3)                                      # nobody paid in V3
    assert "rows" in e.value.errors
    with pytest.raises(NotFound):
        roster.publish_roster(world.actor("dadmin"), "410411999999", posting_start=today_local(),
                              posting_end=today_local(), office_phone="0375-2612345")
    assert db.session.scalar(select(RosterVersion)) is None


def test_a_published_version_never_changes_and_republishing_makes_the_next(world, known):
    v1 = publish(world)
    payments.void_receipt(world.actor("coord1"), known.receipts["b"].number, "收错了")
    world.pay("coord1", (known.c, "medical"))
    # The published version is as it was.
    assert [r.name for r in db.session.get(RosterVersion, v1.id).rows] == ["甲一", "乙二", "戊五"]
    detail = roster.roster_detail(world.actor("dadmin"), world.V1)
    assert [r["name"] for r in detail.changes.added] == ["丙三"]
    assert [r["name"] for r in detail.changes.removed] == ["乙二"]
    assert detail.latest.version == 1 and detail.rows_now == 3
    overview = {s.village.code: s for s in roster.roster_overview(world.actor("tadmin1"))}
    assert overview[world.V1].changed and overview[world.V1].latest.version == 1
    assert overview[world.V2].latest is None
    v2 = publish(world)
    assert v2.version == 2 and [r.name for r in v2.rows] == ["甲一", "丙三", "戊五"]
    assert [r.name for r in db.session.get(RosterVersion, v1.id).rows] == ["甲一", "乙二", "戊五"]
    assert not roster.roster_detail(world.actor("dadmin"), world.V1).changes.any


def test_republishing_the_same_roster_is_refused_but_a_new_period_is_a_new_version(world, known):
    publish(world)
    with pytest.raises(Conflict) as e:
        publish(world)
    assert "第 1 版相同" in e.value.message
    v2 = publish(world, posting_end=today_local() + timedelta(days=10))
    assert v2.version == 2


def test_payment_changes_within_a_person_show_as_changed(world, known):
    publish(world)
    world.pay("coord1", (known.e, "medical"))
    changes = roster.roster_detail(world.actor("dadmin"), world.V1).changes
    assert [(old["name"], old["total_fen"], new["total_fen"]) for old, new in changes.changed] == [
        ("戊五", 30000, 55000)]


def test_township_admin_sees_status_of_own_villages_only(world, known):
    assert {s.village.code for s in roster.roster_overview(world.actor("tadmin1"))} == {world.V1, world.V2}
    with pytest.raises(NotFound):
        roster.roster_detail(world.actor("tadmin1"), world.V3)
    with pytest.raises(Forbidden):
        roster.roster_overview(world.actor("coord1"))


def test_public_roster_shows_published_versions_only(world, known):
    with pytest.raises(NotFound):
        roster.public_roster(world.V1)
    publish(world)
    r = roster.public_roster(world.V1)
    assert r.version.version == 1 and r.open and [row.name for row in r.rows] == ["甲一", "乙二", "戊五"]
    with pytest.raises(NotFound):
        roster.public_roster(world.V1, world.campaign.year, 2)
    with pytest.raises(NotFound):
        roster.public_roster(world.V2)


def test_public_roster_hides_names_after_the_posting_period(world, known):
    publish(world)
    later = today_local() + timedelta(days=7)
    r = roster.public_roster(world.V1, today=later)
    assert not r.open and r.rows == []
    assert roster.public_roster(world.V1, today=later - timedelta(days=1)).open


def test_public_roster_name_filter_and_pages(world, known, monkeypatch):
    publish(world)
    assert [row.name for row in roster.public_roster(world.V1, q="戊").rows] == ["戊五"]
    assert roster.public_roster(world.V1, q="%").matches == 0          # LIKE wildcards are literal
    monkeypatch.setattr(roster, "PUBLIC_PAGE_SIZE", 2)
    r = roster.public_roster(world.V1, page=2)
    assert (r.pages, [row.seq for row in r.rows]) == (2, [3])
    assert roster.public_roster(world.V1, page=99).page == 2


def test_public_url_is_on_the_public_base_url(app, world, known):
    v = publish(world)
    assert roster.public_url(Site.of(app), v.village_code, world.campaign.year, v.version) == (
        f"http://lx.test/gongshi/{world.V1}/{world.campaign.year}/v1")


def test_office_phone_suggestion_climbs_the_tree(world):
    from webapp.models import Area
    village = db.session.scalar(select(Area).where(Area.code == world.V1))
    assert roster.default_office_phone(village) == ""
    village.parent.office_phone = "0375-2600001"
    assert roster.default_office_phone(village) == "0375-2600001"
    village.office_phone = "0375-2700001"
    assert roster.default_office_phone(village) == "0375-2700001"
    db.session.rollback()


def test_name_lines_fit_the_column():
    assert roster_print.name_lines("张三") == ["张三"]
    long = "阿卜杜热合曼·买买提·艾力江"   # 13 full-width characters; the column holds 12
    assert roster_print.name_lines(long) == ["阿卜杜热合曼·买买提·艾", "力江"]
    assert roster_print.name_lines("Ab" * 12 + "C") == ["Ab" * 12, "C"]


def test_grid_lines_keep_every_column_at_its_place():
    row = {"seq": 7, "name": "欧阳娜娜", "id_masked": "410411********1234", "pension_fen": 500000,
           "medical_fen": None, "total_fen": 500000, "paid_on": date(2026, 10, 12)}
    line = roster_print.row_lines(row)[0]
    head = roster_print.grid_head().split("\n")[0]
    assert roster_print.text_width(line) == roster_print.text_width(head) == roster_print.GRID_HALVES

    def starts_at(text):  # in half-widths from the left edge
        return roster_print.text_width(line[:line.index(text)])
    # 1 space, 序号 5, gap 2, 姓名 24, gap 2 -> the ID starts at 34; amounts are right-aligned.
    assert starts_at("410411********1234") == 34
    assert starts_at("5000.00") + len("5000.00") == 34 + 18 + 2 + 11
    assert starts_at("－") + 2 == 34 + 18 + 2 + 11 + 2 + 11
    assert starts_at("2026-10-12") == roster_print.GRID_HALVES - 1 - 10


def test_two_admins_publishing_at_once_get_one_version_each_or_a_conflict(world, known, monkeypatch):
    publish(world)
    world.pay("coord1", (known.c, "medical"))
    monkeypatch.setattr(roster, "_versions", lambda *a: [])      # as if it had not seen version 1 yet
    with pytest.raises(Conflict) as e:
        publish(world)
    assert "刚刚有人发布" in e.value.message
    assert [v.version for v in db.session.scalars(select(RosterVersion))] == [1]
