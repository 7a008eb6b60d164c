"""RGPD requests tracked to their deadline, and the contact data of merged leads

Revision ID: c4e9a2b7d513
Revises: e3a9c5f17b42
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e9a2b7d513'
down_revision = 'e3a9c5f17b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('lead_ids_json', sa.Text(), nullable=False),
        sa.Column('overdue_notified_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handled_by_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_privacy_request_status_due', 'privacy_request', ['status', 'due_at'])
    op.create_table(
        'lead_merge',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kept_lead_id', sa.Integer(), nullable=False),
        sa.Column('merged_lead_id', sa.Integer(), nullable=False),
        sa.Column('first_name', sa.String(length=100), nullable=True),
        sa.Column('last_name', sa.String(length=100), nullable=True),
        sa.Column('email', sa.String(length=254), nullable=True),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('merged_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_lead_merge_kept_lead_id', 'lead_merge', ['kept_lead_id'])
    op.create_index('ix_lead_merge_email', 'lead_merge', ['email'])
    op.create_index('ix_lead_merge_phone', 'lead_merge', ['phone'])


def downgrade():
    op.drop_index('ix_lead_merge_phone', table_name='lead_merge')
    op.drop_index('ix_lead_merge_email', table_name='lead_merge')
    op.drop_index('ix_lead_merge_kept_lead_id', table_name='lead_merge')
    op.drop_table('lead_merge')
    op.drop_index('ix_privacy_request_status_due', table_name='privacy_request')
    op.drop_table('privacy_request')
