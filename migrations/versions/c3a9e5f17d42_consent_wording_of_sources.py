"""consent wording and version of a web form source, kept as the proof of its consents

Revision ID: c3a9e5f17d42
Revises: c4e9a2b7d513
Create Date: 2026-12-01 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9e5f17d42'
down_revision = 'c4e9a2b7d513'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('source') as batch_op:
        batch_op.add_column(sa.Column('consent_wording', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('consent_version', sa.String(length=50), nullable=True))


def downgrade():
    with op.batch_alter_table('source') as batch_op:
        batch_op.drop_column('consent_version')
        batch_op.drop_column('consent_wording')
