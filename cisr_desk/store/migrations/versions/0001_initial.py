"""Initial schema: users, settings, registry versions, import batches, source files, form records
with their pages, field values and issues, authorizations, export batches and the audit log.

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('rows_hash', sa.String(length=64), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_batches'))
    )
    op.create_table('registry_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=80), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_versions'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('name', name=op.f('uq_users_name'))
    )
    op.create_table('export_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['export_batches.id'], name=op.f('fk_export_rows_batch_id_export_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_rows')),
    sa.UniqueConstraint('batch_id', 'position', name=op.f('uq_export_rows_batch_id'))
    )
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('registry_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['registry_version_id'], ['registry_versions.id'], name=op.f('fk_import_batches_registry_version_id_registry_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    op.create_table('registry_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('registration_no', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['registry_versions.id'], name=op.f('fk_registry_entries_version_id_registry_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_entries')),
    sa.UniqueConstraint('version_id', 'registration_no', name=op.f('uq_registry_entries_version_id'))
    )
    op.create_table('source_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('original_path', sa.Text(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=255), nullable=False),
    sa.Column('unrecognized_pages', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_source_files_batch_id_import_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_source_files_sha256'))
    )
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_files_batch_id'), ['batch_id'], unique=False)

    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=80), nullable=False),
    sa.Column('pages', sa.JSON(), nullable=False),
    sa.Column('attachment_pages', sa.JSON(), nullable=False),
    sa.Column('missing_pages', sa.JSON(), nullable=False),
    sa.Column('digital', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('holder', sa.String(length=80), nullable=False),
    sa.Column('received', sa.Date(), nullable=True),
    sa.Column('customer', sa.String(length=255), nullable=False),
    sa.Column('customer_account', sa.String(length=32), nullable=False),
    sa.Column('drp', sa.String(length=32), nullable=False),
    sa.Column('request_type', sa.String(length=16), nullable=False),
    sa.Column('doubtful', sa.Integer(), nullable=False),
    sa.Column('issue_count', sa.Integer(), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('search', sa.Text(), nullable=False),
    sa.Column('entered_by', sa.String(length=80), nullable=False),
    sa.Column('flag_reason', sa.Text(), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=False),
    sa.Column('registry_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('export_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['export_batch_id'], ['export_batches.id'], name=op.f('fk_records_export_batch_id_export_batches')),
    sa.ForeignKeyConstraint(['registry_version_id'], ['registry_versions.id'], name=op.f('fk_records_registry_version_id_registry_versions')),
    sa.ForeignKeyConstraint(['source_file_id'], ['source_files.id'], name=op.f('fk_records_source_file_id_source_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index('ix_records_approved_on_status', ['approved_on', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_export_batch_id'), ['export_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_source_file_id'), ['source_file_id'], unique=False)
        batch_op.create_index('ix_records_status_id', ['status', 'id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('old', sa.Text(), nullable=False),
    sa.Column('new', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_audit_events_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_record_id'), ['record_id'], unique=False)

    op.create_table('authorizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('service_account', sa.String(length=16), nullable=False),
    sa.Column('service_address', sa.Text(), nullable=False),
    sa.Column('drp_id', sa.String(length=16), nullable=False),
    sa.Column('customer_account', sa.String(length=16), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('term_end', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ended_by_record_id', sa.Integer(), nullable=True),
    sa.Column('ended_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ended_by_record_id'], ['records.id'], name=op.f('fk_authorizations_ended_by_record_id_records')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_authorizations_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorizations'))
    )
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.create_index('ix_authorizations_pair', ['service_account', 'drp_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorizations_record_id'), ['record_id'], unique=False)

    op.create_table('field_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('ocr_value', sa.JSON(), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('review', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('changed_by', sa.String(length=80), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_field_values_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_values')),
    sa.UniqueConstraint('record_id', 'key', name=op.f('uq_field_values_record_id'))
    )
    op.create_table('issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_issues_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issues'))
    )
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issues_record_id'), ['record_id'], unique=False)

    op.create_table('record_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source_page', sa.Integer(), nullable=False),
    sa.Column('rotated', sa.Boolean(), nullable=False),
    sa.Column('dpi', sa.Float(), nullable=False),
    sa.Column('matrix', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_record_pages_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_pages')),
    sa.UniqueConstraint('record_id', 'position', name=op.f('uq_record_pages_record_id'))
    )

    _audit_append_only()


def _audit_append_only() -> None:
    """The audit log is append-only: the database itself refuses to change or delete a line."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
                       "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
    elif dialect == "postgresql":
        op.execute("CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    op.drop_table('record_pages')
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issues_record_id'))

    op.drop_table('issues')
    op.drop_table('field_values')
    with op.batch_alter_table('authorizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_authorizations_record_id'))
        batch_op.drop_index('ix_authorizations_pair')

    op.drop_table('authorizations')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_record_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_status_id')
        batch_op.drop_index(batch_op.f('ix_records_source_file_id'))
        batch_op.drop_index(batch_op.f('ix_records_export_batch_id'))
        batch_op.drop_index('ix_records_approved_on_status')

    op.drop_table('records')
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_files_batch_id'))

    op.drop_table('source_files')
    op.drop_table('registry_entries')
    op.drop_table('import_batches')
    op.drop_table('export_rows')
    op.drop_table('users')
    op.drop_table('settings')
    op.drop_table('registry_versions')
    op.drop_table('export_batches')
