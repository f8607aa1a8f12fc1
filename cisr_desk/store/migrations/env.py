"""Alembic environment, configured in code (``cisr_desk.store.db.migrate``): no alembic.ini.

The caller hands over an open connection in ``config.attributes["connection"]``; running
``alembic`` from a shell also works with ``-x url=...``.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from cisr_desk.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if context.is_offline_mode():  # `alembic upgrade head --sql -x url=postgresql://`: the DDL as a script
    context.configure(url=context.get_x_argument(as_dictionary=True).get("url")
                      or config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
