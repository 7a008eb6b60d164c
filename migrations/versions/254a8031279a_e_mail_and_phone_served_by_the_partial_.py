"""e-mail and phone served by their partial indexes: the full indexes repeated the live leads'
unique ones; flagged duplicates get small indexes of their own, and on PostgreSQL the unique
indexes take the pattern operator class so that prefix search can use them

Revision ID: 254a8031279a
Revises: d22f481992d4
Create Date: 2026-11-22 17:56:09.839552

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '254a8031279a'
down_revision = 'd22f481992d4'
branch_labels = None
depends_on = None

COLUMNS = ("email", "phone")


def _where(column, flagged):
    return {"sqlite_where": sa.text(f"possible_duplicate = {int(flagged)} AND {column} IS NOT NULL"),
            "postgresql_where": sa.text(
                f"possible_duplicate = {str(flagged).lower()} AND {column} IS NOT NULL")}


def _unique_live(column, ops):
    op.drop_index(f"uq_lead_{column}_live", table_name="lead")
    op.create_index(f"uq_lead_{column}_live", "lead", [column], unique=True,
                    **_where(column, False), **ops)


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for column in COLUMNS:
        ops = {"postgresql_ops": {column: "varchar_pattern_ops"}}
        op.drop_index(f"ix_lead_{column}", table_name="lead")
        op.create_index(f"ix_lead_{column}_flagged", "lead", [column], **_where(column, True),
                        **ops)
        if postgresql:
            _unique_live(column, ops)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for column in COLUMNS:
        ops = {"postgresql_ops": {column: "varchar_pattern_ops"}}
        if postgresql:
            _unique_live(column, {})
        op.drop_index(f"ix_lead_{column}_flagged", table_name="lead")
        op.create_index(f"ix_lead_{column}", "lead", [column], **ops)
