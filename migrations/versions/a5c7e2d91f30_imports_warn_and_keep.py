"""imports warn and keep: warned count and file, admin's value map, created names, aliases

Revision ID: a5c7e2d91f30
Revises: 4c2f8a9d1e07
Create Date: 2026-12-01 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a5c7e2d91f30'
down_revision = '4c2f8a9d1e07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warned', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('warnings_path', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('value_map_json', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('created_names_json', sa.Text(), nullable=True))
    for table in ('source', 'campaign'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=True))


def downgrade():
    for table in ('campaign', 'source'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('aliases')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('created_names_json')
        batch_op.drop_column('value_map_json')
        batch_op.drop_column('warnings_path')
        batch_op.drop_column('warned')
