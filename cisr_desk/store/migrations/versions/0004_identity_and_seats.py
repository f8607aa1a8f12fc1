"""Identity and several seats: users sign in (argon2id password hashes, lockout after failed
sign-ins, disabled accounts); records carry a version checked on every change and who holds
them since when; counters that several seats increment at once live in a table of their own.

Revision ID: 0004
Revises: 0003
"""
from alembic import context, op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # -- identity (users) ---------------------------------------------------------------------
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    # -- several seats (holds, versions, counters) ------------------------------------------------
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("held_since", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("updated_by", sa.String(length=80), nullable=False, server_default=""))
    # -- what capture sent to review, kept as it was (the dashboard's review rate) -----------------
    with op.batch_alter_table("field_values") as batch:
        batch.add_column(sa.Column("ocr_review", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute("UPDATE field_values SET ocr_review = review")  # the best guess for rows read before

    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    # TRUNCATE skips row triggers: on PostgreSQL a statement trigger refuses it too (the application's
    # role has no TRUNCATE privilege either: cisr-desk db init-postgres)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
    # the clean-submission count moves from the settings' JSON into an atomic counter (a script
    # rendered with --sql is for a new database, which has no count yet)
    if context.is_offline_mode():
        return
    conn = op.get_bind()
    row = conn.execute(sa.text("SELECT value FROM settings WHERE key = 'clean_submissions'")).first()
    if row is not None:
        try:
            count = int(row[0] if not isinstance(row[0], str) else row[0].strip('"'))
        except (TypeError, ValueError):
            count = 0
        conn.execute(sa.text("INSERT INTO counters (name, value) VALUES ('clean_submissions', :v)"), {"v": count})
        conn.execute(sa.text("DELETE FROM settings WHERE key = 'clean_submissions'"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.drop_table("counters")
    with op.batch_alter_table("field_values") as batch:
        batch.drop_column("ocr_review")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("updated_by")
        batch.drop_column("held_since")
        batch.drop_column("version")
    with op.batch_alter_table("users") as batch:
        for column in ("must_change_password", "password_changed_at", "locked_until", "failed_logins", "active",
                       "password_hash"):
            batch.drop_column(column)
