"""Numbers several seats increment at once, atomically on SQLite and PostgreSQL alike.

``UPDATE counters SET value = value + 1 ... RETURNING value`` takes the row's write lock, so two
transactions never read the same value; the row is made first with an insert that does nothing
when another seat made it at the same moment (``ON CONFLICT DO NOTHING``)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cisr_desk.store.models import Counter

_TABLE = Counter.__table__


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(_TABLE)


def increment(session: Session, name: str, by: int = 1) -> int:
    """Add ``by`` to the counter (0 when new) and return the new value, in the caller's transaction."""
    session.execute(_insert(session).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    return session.execute(update(_TABLE).where(_TABLE.c.name == name).values(value=_TABLE.c.value + by)
                           .returning(_TABLE.c.value)).scalar_one()


def value(session: Session, name: str) -> int:
    return session.scalar(select(_TABLE.c.value).where(_TABLE.c.name == name)) or 0
