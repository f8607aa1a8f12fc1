"""Successful sign-ins are in the audit log; the user row remembers the last one logged and from
where, so the command line (which signs in for every command) logs a seat's sign-ins at most
once in a while instead of once per command.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sign_in_logged_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("sign_in_logged_from", sa.String(length=255), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("sign_in_logged_from")
        batch.drop_column("sign_in_logged_at")
