"""audit log (append-only): who opened, read, exported, changed, merged, reassigned which lead

Revision ID: c3e9a1f5b7d2
Revises: c3a9e5f17d42
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e9a1f5b7d2'
down_revision = 'c3a9e5f17d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=256), nullable=True),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entry_at', 'audit_entry', ['at', 'id'])
    op.create_index('ix_audit_entry_lead', 'audit_entry', ['lead_id', 'at', 'id'])
    op.create_index('ix_audit_entry_user', 'audit_entry', ['user_id', 'at', 'id'])
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action', 'at', 'id'])


def downgrade():
    op.drop_index('ix_audit_entry_action', table_name='audit_entry')
    op.drop_index('ix_audit_entry_user', table_name='audit_entry')
    op.drop_index('ix_audit_entry_lead', table_name='audit_entry')
    op.drop_index('ix_audit_entry_at', table_name='audit_entry')
    op.drop_table('audit_entry')
