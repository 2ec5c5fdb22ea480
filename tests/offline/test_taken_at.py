"""When the money changed hands (issue 18 part 5): a payment taken offline at 10:18 and synced
at 15:18 prints 10:18 everywhere the payer or the bureau reads it; the server keeps both times
and the audit shows both; a phone clock that cannot be believed is refused in Chinese."""
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.offline.conftest import CHINESE, assert_documented, payment_body
from tests.receipts.conftest import pdf_text
from webapp.extensions import db
from webapp.models import Area, AuditEvent, Receipt
from webapp.services import audit, exports, payments, progress, roster, sync
from webapp.services.campaigns import require_campaign
from webapp.timeutil import LOCAL, today_local

PAY = "/payments"


def utc(day, hh, mm) -> datetime:
    """The naive-UTC instant of China-local `day` hh:mm."""
    return datetime.combine(day, time(hh, mm), LOCAL).astimezone(UTC).replace(tzinfo=None)


@pytest.fixture
def server_clock(monkeypatch):
    """Set the server's clock (what payments, sync and the audit call now)."""
    def set_(moment: datetime):
        for module in (payments, sync, audit):
            monkeypatch.setattr(module, "now_utc", lambda: moment)
    return set_


def iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"


def test_taken_at_1018_synced_at_1518_prints_1018(world, coord, server_clock, login):
    today = today_local()
    p = world.person()
    server_clock(utc(today, 15, 18))
    body = payment_body((p, "medical"), recorded_at=iso(utc(today, 10, 18)))
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 201)
    assert data["issued_at"].startswith(f"{today.isoformat()}T10:18")
    assert data["synced_at"].startswith(f"{today.isoformat()}T15:18")
    receipt = db.session.scalar(select(Receipt).where(Receipt.number == data["receipt_number"]))
    assert (receipt.taken_at, receipt.created_at) == (utc(today, 10, 18), utc(today, 15, 18))
    assert {l.taken_at for l in receipt.lines} == {utc(today, 10, 18)}

    page = coord.get(data["receipt_url"]).get_data(as_text=True)
    assert "10:18" in page and "15:18" not in page
    listing = coord.get("/receipts").get_data(as_text=True)
    assert "10:18" in listing and "15:18" not in listing
    for fmt in ("58mm", "a4"):
        text = pdf_text(coord.get(f"/receipts/{data['receipt_number']}/pdf/{fmt}").data)
        assert "10:18" in text and "15:18" not in text, text

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.record"))
    assert event.after["taken_at"] == f"{today.isoformat()} 10:18"
    assert event.after["recorded_at"] == f"{today.isoformat()} 15:18"
    log = login("tadmin1").get("/admin/audit").get_data(as_text=True)
    assert "10:18" in log and "15:18" in log


def test_a_payment_taken_last_evening_and_synced_this_morning_counts_yesterday(world, coord, server_clock):
    """Roster, export filter, the dashboard's daily figures and the coordinator's "today" all go by
    the day the money was taken (receipts.taken_at / payments.taken_at), not the day of sync."""
    today = today_local()
    yesterday = today - timedelta(days=1)
    p = world.person()
    server_clock(utc(today, 9, 0))
    body = payment_body((p, "medical"), recorded_at=iso(utc(yesterday, 22, 30)))
    assert coord.post("/api/v1/payments", json=body).status_code == 201

    campaign = require_campaign()
    v1 = db.session.scalar(select(Area).where(Area.code == world.V1))
    [row] = roster.live_rows(campaign, v1)
    assert row["paid_on"] == yesterday

    def exported(day):
        sheet = exports.payment_sheet("medical", campaign.id, v1,
                                      exports.ExportFilter(day_from=day, day_to=day))
        return [r[1] for r in sheet.rows]
    assert exported(yesterday) == [p.name] and exported(today) == []

    summary = progress.home_summary(world.actor("tadmin1"), today=today)
    assert summary.today_receipts == 0
    assert dict(summary.daily)[yesterday] == 25000
    as_of_yesterday = progress.progress_report(world.actor("tadmin1"), day=yesterday)
    assert as_of_yesterday.total.paid_medical == 1
    mine = progress.coordinator_progress(world.actor("coord1"), today=today)
    assert (mine.today_receipts, mine.campaign_receipts) == (0, 1)
    assert payments.count_today(world.actor("coord1"), campaign) == (0, 0)


@pytest.mark.parametrize("offset, words", [(timedelta(hours=3), "晚于现在"), (timedelta(days=-8), "早于 7 天前")])
def test_a_phone_clock_that_cannot_be_believed_is_refused_in_chinese(world, coord, offset, words):
    """Ahead of the server by more than CLOCK_SKEW, or older than OFFLINE_GRACE: refused with what
    to do, never recorded at the server's time (the receipt would print a time nobody paid at)."""
    from webapp.timeutil import now_utc
    p = world.person()
    body = payment_body((p, "medical"), recorded_at=iso(now_utc() + offset))
    data = assert_documented(coord.post("/api/v1/payments", json=body), PAY, "post", 422)
    message = data["errors"]["recorded_at"]
    assert words in message and CHINESE.search(message)
    assert db.session.scalar(select(Receipt.id)) is None


def test_small_clock_drift_is_believed(world, coord):
    from webapp.timeutil import now_utc
    p = world.person()
    body = payment_body((p, "medical"), recorded_at=iso(now_utc() + timedelta(minutes=5)))
    assert coord.post("/api/v1/payments", json=body).status_code == 201


def test_a_replay_after_the_grace_still_gets_its_receipt(world, coord, server_clock):
    """The phone never heard the answer and sends again eight days later: same receipt, not a refusal."""
    today = today_local()
    p = world.person()
    server_clock(utc(today, 9, 0))
    body = payment_body((p, "medical"), recorded_at=iso(utc(today, 8, 55)))
    first = coord.post("/api/v1/payments", json=body).get_json()
    server_clock(utc(today, 9, 0) + timedelta(days=8))
    again = coord.post("/api/v1/payments", json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["receipt_number"] == first["receipt_number"]
