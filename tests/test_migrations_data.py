"""Data survives upgrades (issue 12, part 8): every migration goes down and up again on a database
holding a campaign year's data (people, payments, a void, a hand-over with its slip, a 冲红
correction, a published roster), and the rows and what they mean are the same afterwards.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL under TEST_DATABASE_URL).
"""
from datetime import timedelta

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.conftest import RECEIPT_KEYS
from webapp.extensions import db
from webapp.models import Receipt, User
from webapp.rules import signing
from webapp.services import corrections, handover, payments, progress, roster
from webapp.services.actor import Actor
from webapp.services.verification import REVERSED, VALID, VOIDED, verify_receipt
from webapp.timeutil import today_local

# Migrations whose downgrade drops data of a year like the fixture's, and what.
LOSSY_DOWN = {
    "b5e7a0c4d2f1": {"handovers", "handover_receipts", "handover_confirmations"},
    "c7d41e9a2b60": {"roster_versions", "roster_rows"},
    "d3a9c1f0b7e2": {"campaigns.settings_version"},
    "privacy0001": {"areas.roster_names"},
    "money0001": {"receipt_corrections", "correction_decisions"},
    # The subsidy recorded per pension line since price versions; older lines have none and the
    # receipt works it out from the tiers (printing the same amount).
    "yearrules0001": {"payments.subsidy_fen"},
}


# Tables that hold only what can be counted again from the records, rebuilt by their migration on
# the way up: not lost by going down, and the figures read from them must come back the same.
DERIVED = {"progress_people", "progress_lines", "progress_receipts"}


def _chain() -> list:
    """The revisions from the newest down to the first."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return list(script.walk_revisions())


def _snapshot() -> dict:
    """Every row of every table: {table: (column names, rows)}."""
    db.session.remove()
    with db.engine.connect() as conn:
        insp = inspect(conn)
        out = {}
        for table in insp.get_table_names():
            if table == "alembic_version":
                continue
            names = tuple(c["name"] for c in insp.get_columns(table))
            cols = ", ".join(f'"{n}"' for n in names)
            out[table] = (names, [tuple(r) for r in conn.execute(text(f'SELECT {cols} FROM "{table}"'))])
        return out


def _cut(snapshot: dict, like: dict) -> dict:
    """The rows of `snapshot` in the tables and columns that `like` has, in a comparable order."""
    out = {}
    for table, (names, _) in like.items():
        have, rows = snapshot.get(table, ((), []))
        index = [have.index(n) for n in names if n in have]
        out[table] = sorted(repr(tuple(row[i] for i in index)) for row in rows)
    return out


def _meaning(numbers: list[str]) -> dict:
    """What the data means to its users: each receipt's verification, the district's figures,
    the published roster's rows."""
    db.session.remove()
    verdicts = {}
    for number in numbers:
        v = verify_receipt(RECEIPT_KEYS, number, signing.sign_number(number, RECEIPT_KEYS))
        verdicts[number] = (v.status, v.total_fen, v.voided_at is not None, tuple(line.paid_fen for line in v.lines))
    return verdicts


@pytest.fixture
def year(world):
    """A campaign year's data in the World's district."""
    people = [world.person(world.V1), world.person(world.V1), world.person(world.V2), world.person(world.V3)]
    kept = world.pay("coord1", (people[0], "medical"), (people[0], "pension", 20000))
    handed = world.pay("coord1", (people[1], "medical"))
    voided = world.pay("coord2", (people[2], "medical"))
    payments.void_receipt(world.actor("coord2"), voided.number, "收错人了")
    world.pay("coord2", (people[2], "medical"))
    corrected = world.pay("coord3", (people[3], "medical"))
    for coord, village, receipts in (("coord1", world.V1, [kept, handed]), ("coord3", world.V3, [corrected])):
        h = handover.create_handover(world.actor(coord), village, [r.number for r in receipts],
                                     bank_slip_no=f"YH-{village[-3:]}",
                                     amount_yuan=f"{sum(r.total_fen for r in receipts) / 100:.2f}")
        admin = "tadmin1" if village != world.V3 else "tadmin2"
        handover.confirm_handover(world.actor(admin), h.id, received_yuan=f"{h.total_fen / 100:.2f}")
    c = corrections.propose(world.actor("tadmin2"), corrected.number, "人社局退回，退款")
    corrections.decide(world.actor("dadmin"), c.id, True)
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-2612345")
    db.session.commit()
    return [r.number for r in db.session.scalars(db.select(Receipt).order_by(Receipt.id))]


def _figures() -> list:
    db.session.remove()
    admin = db.session.scalar(db.select(User).where(User.username == "dadmin"))
    p = progress.progress_report(Actor(admin, "127.0.0.1"))
    return [f.as_dict() for f in [p.total, *p.townships, *p.villages]] + [repr(d) for d in p.daily]


def test_every_migration_goes_down_and_up_again_keeping_a_years_data(app, world, year):
    head = _snapshot()
    meaning = _meaning(year)
    figures = _figures()
    assert {v[0] for v in meaning.values()} == {VALID, VOIDED, REVERSED}
    assert sum(bool(rows) for _, rows in head.values()) >= 10  # the data reaches most tables
    chain = [r for r in _chain() if r.down_revision is not None]  # the first one's down is an empty database
    assert len(chain) >= 5
    for revision in chain:
        # The reads above leave the session's transaction open, holding PostgreSQL's share locks
        # on what they read: a downgrade dropping one of those tables would wait for ever.
        db.session.remove()
        downgrade(revision=revision.revision)
        at = _snapshot()
        db.session.remove()
        downgrade(revision=revision.down_revision)
        below = _snapshot()
        assert _cut(below, below) == _cut(head, below), f"going below {revision.revision} changed the older rows"
        db.session.remove()
        upgrade()
        again = _snapshot()
        assert _cut(again, below) == _cut(below, below), f"{revision.revision} up again changed the older rows"
        lost = _lost(at, again, below)
        if lost:
            # Going below a migration that added a table or column drops what it held: what the
            # older schema can hold must be intact (above), and what it cannot is named here, so
            # that a new migration losing data on the way down is a decision, not an accident.
            # what the lost rows meant is gone too: what is left is the next step's baseline.
            assert lost == LOSSY_DOWN.get(revision.revision), (revision.revision, sorted(lost))
            head, meaning, figures = again, _meaning(year), _figures()
            continue
        assert _meaning(year) == meaning, f"receipts mean something else after {revision.revision} down and up"
        assert _figures() == figures, f"the figures changed after {revision.revision} down and up"
        head = again


def _lost(at: dict, again: dict, below: dict) -> set[str]:
    """The tables and columns the schema below has not got whose data did not come back the same
    on the way up (a column refilled with its default, as every row had it, is not lost)."""
    lost = set()
    for table, (names, rows) in at.items():
        if not rows or table in DERIVED:
            continue
        if table not in below:
            if _cut(again, {table: at[table]}) != _cut(at, {table: at[table]}):
                lost.add(table)
            continue
        for name in names:
            if name not in below[table][0]:
                one = {table: ((below[table][0][0], name), [])}   # the column beside the table's first
                if _cut(again, one) != _cut(at, one):
                    lost.add(f"{table}.{name}")
    return lost
