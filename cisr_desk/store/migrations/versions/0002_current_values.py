"""Keep each record's current values in one JSON column, so exports and registry re-checks of
thousands of records read one row per record instead of one per field.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_values", sa.JSON(), nullable=True))
    if op.get_context().as_sql:  # an offline SQL script has no rows to fill
        return
    bind = op.get_bind()
    records = sa.table("records", sa.column("id", sa.Integer), sa.column("current_values", sa.JSON))
    fields = sa.table("field_values", sa.column("record_id", sa.Integer), sa.column("key", sa.String),
                      sa.column("value", sa.JSON))
    values: dict[int, dict] = {}
    for rid, key, value in bind.execute(sa.select(fields.c.record_id, fields.c.key, fields.c.value)):
        values.setdefault(rid, {})[key] = value
    for rid, current in values.items():
        bind.execute(records.update().where(records.c.id == rid).values(current_values=current))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("current_values")
