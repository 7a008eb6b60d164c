"""third-party credentials sealed: Meta's app secret and page token encrypted at rest

Revision ID: 5e41c0a7d2b9
Revises: 5e3c1a7b9d20
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.services.secrets_box import seal, unseal


# revision identifiers, used by Alembic.
revision = '5e41c0a7d2b9'
down_revision = '5e3c1a7b9d20'
branch_labels = None
depends_on = None

COLUMNS = ("meta_app_secret", "meta_page_token")


def _convert(change):
    """Apply `change` to every stored Meta credential (runs inside `flask db upgrade`, whose
    app gives the keys)."""
    conn = op.get_bind()
    source = sa.table("source", sa.column("id", sa.Integer),
                      *(sa.column(name, sa.Text) for name in COLUMNS))
    for row in conn.execute(sa.select(source)).mappings().all():
        values = {name: change(row[name]) for name in COLUMNS if row[name]}
        if values:
            conn.execute(source.update().where(source.c.id == row["id"]).values(**values))


def upgrade():
    with op.batch_alter_table('source', schema=None) as batch_op:
        # A sealed value is longer than the secret: 200 characters no longer hold it.
        batch_op.alter_column('meta_app_secret', existing_type=sa.String(length=200),
                              type_=sa.Text(), existing_nullable=True)
    _convert(seal)


def downgrade():
    _convert(unseal)  # None where no key opens it
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.alter_column('meta_app_secret', existing_type=sa.Text(),
                              type_=sa.String(length=200), existing_nullable=True)
