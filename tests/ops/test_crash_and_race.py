"""Against a real gunicorn: a SIGKILL in the middle of a stream of payments loses none that the
phone saw acknowledged and doubles none; two coordinators paying for one person at the same
instant: exactly one succeeds and the other is told why."""
import threading
import time
import uuid

from sqlalchemy import func, select

from tests.ops.live import Phone
from webapp.extensions import db
from webapp.models import Payment, Receipt
from webapp.services import accounts
from webapp.services.actor import SYSTEM


def pay_form(person):
    return {"step": "confirm", "method": "cash", f"medical_{person['id']}": "y"}


def test_sigkill_mid_stream_keeps_every_acknowledged_payment_exactly_once(world, gunicorn):
    people = [{"id": p.id, "household": p.household_id} for p in (world.person() for _ in range(150))]
    db.session.commit()
    gunicorn.start()
    phone = Phone(gunicorn.url).login("coord1", world.PASSWORD)

    acknowledged, unanswered = {}, []
    stop = threading.Event()

    def stream():
        for person in people:
            if stop.is_set():
                return
            cid = str(uuid.uuid4())
            try:
                status, _, location = phone.post_form(f"/households/{person['household']}/pay",
                                                      dict(pay_form(person), client_id=cid), timeout=30)
            except OSError:
                unanswered.append((person, cid))   # the phone never heard back: it will retry
                return
            if status == 302 and "/receipts/" in location:
                acknowledged[cid] = location.rsplit("/", 1)[1]
            else:
                unanswered.append((person, cid))
                return

    sender = threading.Thread(target=stream)
    sender.start()
    while len(acknowledged) < 40 and sender.is_alive():
        time.sleep(0.01)
    gunicorn.kill()
    stop.set()
    sender.join(30)
    assert len(acknowledged) >= 40

    gunicorn.start()
    db.session.rollback()
    for cid, number in acknowledged.items():
        receipts = db.session.scalars(select(Receipt).where(Receipt.client_id == cid)).all()
        assert [r.number for r in receipts] == [number]
    # The request in flight at the kill, retried with its client_id, lands exactly once too.
    phone = Phone(gunicorn.url).login("coord1", world.PASSWORD)
    for person, cid in unanswered:
        status, _, location = phone.post_form(f"/households/{person['household']}/pay",
                                              dict(pay_form(person), client_id=cid))
        assert status == 302 and "/receipts/" in location
    db.session.rollback()
    per_person = db.session.execute(select(Payment.person_id, func.count()).where(Payment.void_id.is_(None))
                                    .group_by(Payment.person_id)).all()
    assert all(n == 1 for _, n in per_person)
    assert len(per_person) == len(acknowledged) + len(unanswered)


def test_two_coordinators_same_person_same_instant(world, gunicorn):
    accounts.create_user(SYSTEM, username="coord1b", name="第二协管员", role="coordinator",
                         area_codes=[world.V1], password=world.PASSWORD, is_demo=True)
    people = [{"id": p.id, "household": p.household_id} for p in (world.person() for _ in range(8))]
    db.session.commit()
    gunicorn.start()
    phones = [Phone(gunicorn.url).login(u, world.PASSWORD) for u in ("coord1", "coord1b")]
    for person in people:
        barrier = threading.Barrier(2, timeout=20)
        results = [None, None]

        def attempt(i, barrier=barrier, results=results, person=person):
            barrier.wait()
            results[i] = phones[i].post_form(f"/households/{person['household']}/pay",
                                             dict(pay_form(person), client_id=str(uuid.uuid4())))

        threads = [threading.Thread(target=attempt, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        wins = [r for r in results if r[0] == 302]
        losses = [r for r in results if r[0] != 302]
        assert len(wins) == 1 and len(losses) == 1, [r[0] for r in results]
        assert losses[0][0] in (409, 422) and "不能重复缴费" in losses[0][1]
    db.session.rollback()
    assert db.session.scalar(select(func.count(Payment.id))) == len(people)
