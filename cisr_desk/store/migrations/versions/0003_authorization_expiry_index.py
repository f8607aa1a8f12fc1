"""Index authorizations by state and end of term: the desk looks for active ones whose term has
ended every time it opens and on every approval.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_authorizations_state_term_end", "authorizations", ["state", "term_end"])


def downgrade() -> None:
    op.drop_index("ix_authorizations_state_term_end", table_name="authorizations")
