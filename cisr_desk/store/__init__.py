"""Where forms live after capture: the database (SQLAlchemy 2, Alembic) and the stored file copies.

``service.Desk`` is the one facade the CLI and the GUI use; everything it returns is a plain
frozen dataclass from ``dto``.
"""
