"""session generation: one value per user, replaced to revoke all their sessions and tokens

Revision ID: 5e3c1a7b9d20
Revises: 254a8031279a
Create Date: 2026-12-01 13:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e3c1a7b9d20'
down_revision = '254a8031279a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'session_generation',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('session_generation')
