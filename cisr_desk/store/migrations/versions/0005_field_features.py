"""What the acceptance model judged each OCR'd field by (its features), kept beside the OCR
value and the clerk's final value so that ``cisr-desk calibrate`` can refit the model from the
site's own reviewed records. Null for fields read before this revision and for digital forms.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_values") as batch:
        batch.add_column(sa.Column("features", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("field_values") as batch:
        batch.drop_column("features")
