"""The bench's city generator (bench/city.py, `make bench-city`) through its own code path: the
schema by migrations, rows by COPY with the constraints put back, on PostgreSQL (a private schema,
tests/ops/conftest.py) — a tiny city of two districts. The app then works on it as on any
database: the people's ID numbers decrypt to valid numbers, a coordinator logs in, finds a person
by name and by initials and pays for them, the receipt numbers continue after the generated ones,
and a second build reuses the city instead of making it again."""
import uuid

import pytest
from sqlalchemy import func, select, text

from bench.city import PASSWORD, CityShape, build_city, city_app
from webapp.rules.idnumber import parse_id_number

SHAPE = CityShape(districts=2, townships=1, villages_per_township=2, people_per_village=30)


@pytest.fixture
def city(postgres_database_url, tmp_path):
    config = {"INSTANCE_PATH": str(tmp_path / "instance")}
    info = build_city(postgres_database_url, SHAPE, schema_ready=True, log=lambda *a: None, config=config)
    app = city_app(postgres_database_url, **config)
    yield info, app, config
    with app.app_context():
        from webapp.extensions import db
        db.engine.dispose()


def test_the_generated_city_holds_what_was_asked_with_valid_id_numbers(city):
    info, app, _ = city
    from webapp.extensions import db
    from webapp.models import Area, Payment, Person, Receipt, ReceiptCounter
    assert info["people"] == SHAPE.people == 120 and info["villages"] == 4
    with app.app_context():
        assert db.session.scalar(select(func.count(Area.id)).where(Area.level == "district")) == 2
        people = db.session.scalars(select(Person)).all()
        assert len(people) == 120
        for p in people:
            parsed = parse_id_number(p.id_number)
            assert parsed.number[-4:] == p.id_tail and parsed.birth_date == p.birth_date
            assert p.village.code.startswith(parsed.number[:6])       # the district's own region code
        # Receipts are numbered per village from 1, and the counters say so.
        counters = {c.village_id: c.last_seq for c in db.session.scalars(select(ReceiptCounter))}
        per_village = dict(db.session.execute(select(Receipt.village_id, func.count(Receipt.id))
                                              .group_by(Receipt.village_id)).all())
        assert counters == per_village and sum(per_village.values()) > 0
        assert db.session.scalar(select(func.count(Payment.id))) > 0
        # The constraints dropped for COPY are back: a second live payment is refused.
        indexes = set(db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")))
        assert {"uq_payments_live", "ix_people_village_initials", "uq_people_household_head"} <= indexes


def test_a_coordinator_logs_in_searches_and_pays_in_the_generated_city(city):
    _, app, _ = city
    from webapp.extensions import db
    from webapp.models import Area, Payment, Person
    with app.app_context():
        village = db.session.scalar(select(Area).where(Area.code == "410411200001"))
        paid = select(Payment.person_id).where(Payment.kind == "medical")
        person = db.session.scalar(select(Person).where(Person.village_id == village.id, Person.id.not_in(paid))
                                   .order_by(Person.id))
        pid, name, initials = person.id, person.name, person.name_initials
        last = db.session.scalar(text("SELECT last_seq FROM receipt_counters WHERE village_id = :v"),
                                 {"v": village.id}) or 0
    client = app.test_client()
    assert client.post("/login", data={"username": "coord", "password": PASSWORD}).status_code == 302
    for q in (name, initials):
        page = client.get("/search", query_string={"q": q})
        assert page.status_code == 200 and name in page.get_data(as_text=True)
    resp = client.post("/api/v1/payments", json={"client_id": str(uuid.uuid4()), "method": "cash",
                                                 "lines": [{"person_id": pid, "kind": "medical"}]})
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["receipt_number"].endswith(f"-200001-{last + 1:05d}")


def test_a_second_build_reuses_the_city(city, postgres_database_url):
    info, _, config = city
    again = build_city(postgres_database_url, SHAPE, schema_ready=True, log=lambda *a: None, config=config)
    assert again == info
