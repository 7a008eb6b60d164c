"""API lookups and sync: lead indexes for the cursor and the platforms' ids, tombstones of
deleted leads, idempotency keys

Revision ID: 4c2f8a9d1e07
Revises: 7b3d9e61c4fa
Create Date: 2026-12-01 17:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4c2f8a9d1e07'
down_revision = '7b3d9e61c4fa'
branch_labels = None
depends_on = None

LEAD_INDEXES = {
    "ix_lead_updated": ["updated_at", "id"],
    "ix_lead_owner_updated": ["owner_id", "updated_at", "id"],
    "ix_lead_gclid": ["gclid"],
    "ix_lead_fbclid": ["fbclid"],
    "ix_lead_external_id": ["external_id"],
}


def upgrade():
    op.create_table(
        'lead_deletion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('external_id', sa.String(length=100), nullable=True),
        sa.Column('gclid', sa.String(length=200), nullable=True),
        sa.Column('fbclid', sa.String(length=200), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_lead_deletion_cursor', 'lead_deletion', ['deleted_at', 'id'])
    op.create_index('ix_lead_deletion_owner_cursor', 'lead_deletion',
                    ['owner_id', 'deleted_at', 'id'])
    op.create_table(
        'idempotency_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], name='fk_idempotency_key_user',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_idempotency_key_user_key', 'idempotency_key', ['user_id', 'key'],
                    unique=True)
    op.create_index('ix_idempotency_key_created', 'idempotency_key', ['created_at'])
    for name, columns in LEAD_INDEXES.items():
        op.create_index(name, 'lead', columns)


def downgrade():
    for name in LEAD_INDEXES:
        op.drop_index(name, table_name='lead')
    op.drop_table('idempotency_key')
    op.drop_table('lead_deletion')
