"""Two app nodes behind Debian's nginx, on one PostgreSQL and one Redis, all on loopback.

Each node is its own gunicorn master with its own instance/ folder; the nodes share only what a
deployment copies to each machine: configuration (instance/config.py) and keys (secret_key,
id_key.json, receipt_keys.json). Everything else they share lives in PostgreSQL (people,
payments, receipts, server-side sessions) or Redis (throttling counts).

16 phones stream payments through nginx; one node is SIGKILLed mid-stream and restarted. A phone
that gets no answer (connection cut, 502 from nginx) sends the same payment again with the same
client_id, as the offline queue does. Afterwards: every acknowledged payment is stored exactly
once with the receipt the phone was given, nothing unacknowledged is stored, no person paid
twice, receipt numbers are unique, and every receipt verifies on either node. Failed logins and
receipt verifications are counted once across both nodes.

PostgreSQL: TEST_DATABASE_URL if it is PostgreSQL, else postgresql://postgres@127.0.0.1:5432/test
(trust auth), in a schema of its own dropped afterwards. Redis: the one on 6379, or a private
redis-server (tests/ops/conftest.py).
"""
import http.client
import threading
import time
import urllib.parse
import uuid

import pytest
from sqlalchemy import func, select

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import Gunicorn, Nginx, Phone, write_instance
from webapp.extensions import db
from webapp.models import Payment, Receipt
from webapp.services import counters

pytestmark = pytest.mark.multinode

CLIENTS = 16
PER_CLIENT = 20


@pytest.fixture
def database_url(postgres_database_url):
    """This test needs PostgreSQL whatever TEST_DATABASE_URL says: SQLite is one machine's file."""
    return postgres_database_url


@pytest.fixture
def cluster(app, database_url, tmp_path, redis_url):
    prefix = f"t{uuid.uuid4().hex[:12]}"
    shared_config = (f"RATELIMIT_STORAGE_URI = {redis_url!r}\n"
                     f"RATELIMIT_KEY_PREFIX = {prefix!r}\n")
    nodes = []
    for name in ("a", "b"):
        instance = tmp_path / f"node-{name}" / "instance"
        write_instance(instance, TEST_KEYS, RECEIPT_KEYS)
        (instance / "config.py").write_text(shared_config)
        nodes.append(Gunicorn(database_url, instance, workers=2, threads=1,
                              extra_env={"PROXY_FIX": "1", "RATELIMIT_STORAGE_URI": ""}))
    proxy = Nginx(tmp_path / "nginx", [f"127.0.0.1:{n.port}" for n in nodes])
    for n in nodes:
        n.env["PUBLIC_BASE_URL"] = proxy.url   # receipts' QR codes point at the one public address

    class Cluster:
        def start(self):
            for n in nodes:
                n.launch()
            for n in nodes:
                n.wait_ready()
            proxy.start()
            return self

    c = Cluster()
    c.nodes, c.proxy = nodes, proxy
    yield c
    proxy.stop()
    for n in nodes:
        n.stop()
    import redis
    r = redis.Redis.from_url(redis_url)
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)


def api_phone(base, username, password):
    phone = Phone(base).login(username, password)
    status, body, _ = phone.request("GET", "/api/v1/me")
    assert status == 200
    import json
    phone.token = json.loads(body)["csrf_token"]
    return phone


def pay(phone, person_id, cid):
    import json
    status, body, _ = phone.request(
        "POST", "/api/v1/payments",
        {"client_id": cid, "method": "cash", "lines": [{"person_id": person_id, "kind": "medical"}]},
        headers={"Content-Type": "application/json", "X-CSRFToken": phone.token}, timeout=30)
    return status, (json.loads(body) if status == 201 else body)


def test_two_nodes_behind_nginx_lose_and_double_nothing_when_one_is_killed(world, cluster):
    people = [world.person().id for _ in range(CLIENTS * PER_CLIENT)]
    db.session.commit()
    cluster.start()
    node_a, node_b = cluster.nodes
    phones = [api_phone(cluster.proxy.url, "coord1", world.PASSWORD) for _ in range(CLIENTS)]

    acknowledged = {}        # client_id -> (receipt number, verify_url)
    lock = threading.Lock()
    retried = []             # (client_id, status) of answers that were not an acknowledgement
    stop = threading.Event()
    # Phones hold new payments while the killed node boots again: on a busy machine its boot can
    # take longer than the rest of the stream, and the restarted node must be seen taking payments.
    go = threading.Event()
    go.set()
    failures = []

    def stream(i):
        for person_id in people[i::CLIENTS]:
            go.wait()
            if stop.is_set():
                return
            cid = str(uuid.uuid4())
            deadline = time.time() + 90
            while True:     # the phone keeps the payment queued until the server acknowledges it
                try:
                    status, answer = pay(phones[i], person_id, cid)
                except (OSError, http.client.HTTPException) as e:   # cut mid-answer, too
                    status, answer = 0, repr(e)
                if status == 201:
                    with lock:
                        acknowledged[cid] = (answer["receipt_number"], answer["verify_url"])
                    break
                with lock:
                    retried.append((cid, status))
                if status not in (0, 502, 503, 504) or time.time() > deadline:
                    failures.append((person_id, status, str(answer)[:300]))
                    return
                time.sleep(0.1)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()

    def wait_for(n):
        while len(acknowledged) < n and any(t.is_alive() for t in threads):
            time.sleep(0.01)

    wait_for(60)
    at_kill = len(acknowledged)
    node_a.kill()                              # mid-stream: requests in flight on it are cut
    wait_for(at_kill + 40)                     # node b alone carries the stream meanwhile
    assert len(acknowledged) >= at_kill + 40, failures
    log_at_restart = node_a.log.stat().st_size
    go.clear()                                 # payments already sent still finish on node b
    node_a.start()
    time.sleep(3)                              # nginx retries the node after fail_timeout (2 s)
    go.set()
    wait_for(len(acknowledged) + 40)
    stop.set()
    for t in threads:
        t.join(120)
    assert not failures, failures[:5]
    assert not any(t.is_alive() for t in threads)
    after_restart = node_a.log.read_bytes()[log_at_restart:].decode(errors="replace")
    assert after_restart.count("POST /api/v1/payments") > 0, "the restarted node took no payments"

    db.session.rollback()
    stored = dict(db.session.execute(select(Receipt.client_id, Receipt.number)).all())
    # 0 lost: each acknowledged payment is there with the receipt the phone was given ...
    assert {cid: n for cid, (n, _) in acknowledged.items()} == stored
    # ... 0 doubled: one live payment per person, and one per acknowledged payment ...
    per_person = db.session.execute(select(Payment.person_id, Payment.kind, func.count())
                                    .where(Payment.void_id.is_(None))
                                    .group_by(Payment.person_id, Payment.kind)).all()
    assert per_person and all(n == 1 for *_, n in per_person)
    assert db.session.scalar(select(func.count(Payment.id))) == len(acknowledged)
    # ... and receipt numbers unique.
    numbers = db.session.scalars(select(Receipt.number)).all()
    assert len(numbers) == len(set(numbers)) == len(acknowledged)
    # The progress counters, incremented by both nodes at once, lost and doubled nothing either.
    assert counters.differences() == []

    # Every receipt verifies on either node (each node checks the signature with the shared keys).
    # Verification is throttled per address (30 a minute): each batch comes from its own address.
    for j, (number, verify_url) in enumerate(sorted(acknowledged.values())):
        path = urllib.parse.urlparse(verify_url).path
        for k, node in enumerate((node_a, node_b)):
            status, page, _ = Phone(node.url).request(
                "GET", path, headers={"X-Forwarded-For": f"10.50.{k}.{j // 25}"})
            assert status == 200 and "真实有效" in page and number in page, (number, node.url, status)
    forged = urllib.parse.urlparse(verify_url).path[:-4] + "AAAA"
    assert Phone(node_b.url).request("GET", forged, headers={"X-Forwarded-For": "10.51.0.1"})[0] == 404


def login_attempt(base, username, password, ip):
    phone = Phone(base)
    phone.request("GET", "/login", headers={"X-Forwarded-For": ip})
    return phone.request("POST", "/login", {"username": username, "password": password,
                                            "csrf_token": phone.token},
                         headers={"X-Forwarded-For": ip})[0]


def test_throttling_is_counted_across_nodes(world, cluster):
    cluster.start()
    node_a, node_b = cluster.nodes
    # 5 failed logins of one account, spread over both nodes and nginx: the next one is refused
    # on every path, even with the right password.
    for i, base in enumerate([node_a.url, node_b.url, node_a.url, node_b.url, cluster.proxy.url]):
        assert login_attempt(base, "coord2", "wrong", ip=f"10.60.0.{i}") == 200, i
    for base in (node_a.url, node_b.url, cluster.proxy.url):
        assert login_attempt(base, "coord2", world.PASSWORD, ip="10.60.9.9") == 429, base
    assert login_attempt(node_b.url, "coord3", world.PASSWORD, ip="10.60.9.9") == 302

    # 30 receipt verifications a minute per address, whichever node answers: the 31st is refused.
    statuses = [Phone(node.url).request("GET", f"/v/2018-{n:06d}/AAAAAAAAAAAAAAAAAAAAAA",
                                        headers={"X-Forwarded-For": "10.61.0.1"})[0]
                for n in range(31) for node in [(node_a, node_b)[n % 2]]]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
