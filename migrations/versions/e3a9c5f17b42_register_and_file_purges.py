"""register of processing (controller, DPO) and purges of stored files

Revision ID: e3a9c5f17b42
Revises: b7d1e4c8a2f6
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9c5f17b42'
down_revision = 'b7d1e4c8a2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'processing_register',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('controller_name', sa.String(length=200), nullable=True),
        sa.Column('controller_address', sa.String(length=500), nullable=True),
        sa.Column('controller_email', sa.String(length=254), nullable=True),
        sa.Column('controller_phone', sa.String(length=40), nullable=True),
        sa.Column('dpo_name', sa.String(length=200), nullable=True),
        sa.Column('dpo_email', sa.String(length=254), nullable=True),
        sa.Column('dpo_phone', sa.String(length=40), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.alter_column('stored_path', existing_type=sa.String(length=500), nullable=True)
        batch_op.add_column(sa.Column('reports_purged_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('intake_delivery', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)
        batch_op.create_index('ix_intake_payload_kept', ['received_at'], unique=False,
                              sqlite_where=sa.text('body IS NOT NULL'),
                              postgresql_where=sa.text('body IS NOT NULL'))
    with op.batch_alter_table('export_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purged_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_export_file_stored', ['created_at'], unique=False,
                              sqlite_where=sa.text('path IS NOT NULL'),
                              postgresql_where=sa.text('path IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('export_file', schema=None) as batch_op:
        batch_op.drop_index('ix_export_file_stored', sqlite_where=sa.text('path IS NOT NULL'),
                            postgresql_where=sa.text('path IS NOT NULL'))
        batch_op.drop_column('purged_at')
    op.execute("UPDATE intake_delivery SET body = '' WHERE body IS NULL")
    with op.batch_alter_table('intake_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_payload_kept', sqlite_where=sa.text('body IS NOT NULL'),
                            postgresql_where=sa.text('body IS NOT NULL'))
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
    op.execute("UPDATE import_batch SET stored_path = '' WHERE stored_path IS NULL")
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('reports_purged_at')
        batch_op.alter_column('stored_path', existing_type=sa.String(length=500), nullable=False)
    op.drop_table('processing_register')
