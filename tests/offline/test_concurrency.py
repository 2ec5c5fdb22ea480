"""Five phones' worth of the same request at the same instant, against a real threaded server and
a real database file: exactly one payment, and every caller gets the same receipt."""
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from sqlalchemy import func, select

from tests.factories import World, valid_id
from tests.offline.live import LiveServer
from webapp.extensions import db
from webapp.models import Payment, Person, Receipt


@pytest.fixture
def server(app):
    live = LiveServer(app).start()
    yield live.url
    live.stop()


def session_for(base, username):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    data = urllib.parse.urlencode({"username": username, "password": World.PASSWORD}).encode()
    opener.open(f"{base}/login", data=data).read()
    assert any(c.name == "session" for c in jar)
    return opener


def post_json(opener, url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def replay_at_once(server, body, n=5):
    """n threads, each its own connection, released together by a barrier."""
    openers = [session_for(server, "coord1") for _ in range(n)]
    barrier = threading.Barrier(n)
    answers = [None] * n

    def send(i):
        barrier.wait()
        answers[i] = post_json(openers[i], f"{server}/api/v1/payments", body)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_five_concurrent_replays_make_one_payment(world, server):
    p = world.person()
    db.session.commit()
    body = {"client_id": str(uuid.uuid4()), "lines": [{"person_id": p.id, "kind": "medical"},
                                                       {"person_id": p.id, "kind": "pension", "amount_fen": 20000}]}
    answers = replay_at_once(server, body)
    assert [status for status, _ in answers] == [201] * 5, answers
    assert len({a["receipt_number"] for _, a in answers}) == 1
    db.session.rollback()   # end the read snapshot taken before the server wrote
    assert db.session.scalar(select(func.count(Receipt.id))) == 1
    assert db.session.scalar(select(func.count(Payment.id))) == 2


def test_five_concurrent_replays_with_a_new_enrollee_register_one_person(world, server):
    number = valid_id(seed=41)
    body = {"client_id": str(uuid.uuid4()), "lines": [
        {"id_number": number, "kind": "medical", "name": "并发", "address": "并发路1号"}]}
    answers = replay_at_once(server, body)
    assert [status for status, _ in answers] == [201] * 5, answers
    assert len({a["receipt_number"] for _, a in answers}) == 1
    db.session.rollback()   # end the read snapshot taken before the server wrote
    assert db.session.scalar(select(func.count(Person.id))) == 1
    assert db.session.scalar(select(func.count(Receipt.id))) == 1


def test_five_different_requests_for_the_same_person_make_one_payment(world, server):
    """Five phones, five client_ids, one person: the database lets one through; the others
    hear who took the money (409), which the phone shows next to the item."""
    person_id = world.person().id
    db.session.commit()
    openers = [session_for(server, "coord1") for _ in range(5)]
    barrier = threading.Barrier(5)
    answers = [None] * 5

    def send(i):
        barrier.wait()
        answers[i] = post_json(openers[i], f"{server}/api/v1/payments",
                               {"client_id": str(uuid.uuid4()), "lines": [{"person_id": person_id, "kind": "medical"}]})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 409, 409, 409, 409], answers
    assert all(a["code"] == "already_paid" for s, a in answers if s == 409)
    db.session.rollback()   # end the read snapshot taken before the server wrote
    assert db.session.scalar(select(func.count(Payment.id))) == 1
