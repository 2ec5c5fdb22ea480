"""The one place that commits: a service wraps its whole body, reads included, in
`with unit_of_work():`. The checks and the writes then see one consistent database state.

On SQLite the transaction starts with BEGIN IMMEDIATE (see webapp/database.py): it waits for
the write lock up front instead of failing with "database is locked" when it tries to turn a
read into a write after another writer committed. Units nest: an inner one joins the outer.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from ..extensions import db

# Read by the SQLite "begin" hook: is the transaction about to start one that writes?
writing: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def unit_of_work():
    if writing.get():
        yield db.session  # joined the caller's unit
        return
    # End the read transaction the request may have open, so ours starts fresh (and immediate).
    if db.session().in_transaction():
        db.session.commit()
    token = writing.set(True)
    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        writing.reset(token)
        # Let the next writer in only now that COMMIT (or ROLLBACK) has completed.
        from ..database import writer_queue
        writer_queue(db.engine).release()
