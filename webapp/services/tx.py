"""The one place that commits: a service wraps its whole body, reads included, in
`with unit_of_work():`. The checks and the writes then see one consistent database state.

On SQLite the transaction starts with BEGIN IMMEDIATE (see webapp/database.py): it waits for
the write lock up front instead of failing with "database is locked" when it tries to turn a
read into a write after another writer committed. Units nest: an inner one joins the outer.
A writer that waits longer than WRITE_LOCK_TIMEOUT_S for the lock gets Busy (nothing written).
"""
from contextlib import contextmanager

from ..database import WriteLockTimeout, writer_queue, writing
from ..extensions import db
from .errors import Busy


@contextmanager
def unit_of_work(*, keep_loaded: bool = False):
    """keep_loaded: for a unit that writes with Core statements only. Nothing it does changes an
    object already loaded, so its commits need not expire them: the request goes on using the
    actor's user and what it read without loading them again (a payment saves two queries)."""
    if writing.get():
        yield db.session  # joined the caller's unit
        return
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = expire and not keep_loaded
    # End the read transaction the request may have open, so ours starts fresh (and immediate).
    if session.in_transaction():
        session.commit()
    token = writing.set(True)
    try:
        yield db.session
        session.commit()
    except WriteLockTimeout:
        session.rollback()
        raise Busy() from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_on_commit = expire
        writing.reset(token)
        # Let the next writer in only now that COMMIT (or ROLLBACK) has completed.
        writer_queue(db.engine).release()
