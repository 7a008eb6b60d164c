"""webhook replays counted on their first delivery, one delivery per platform lead id

Revision ID: 7b3d9e61c4fa
Revises: 5e41c0a7d2b9
Create Date: 2026-12-01 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d9e61c4fa'
down_revision = '5e41c0a7d2b9'
branch_labels = None
depends_on = None

DELIVERY = sa.table("intake_delivery", sa.column("id", sa.Integer),
                    sa.column("channel", sa.String), sa.column("external_id", sa.String),
                    sa.column("status", sa.String), sa.column("received_at", sa.DateTime),
                    sa.column("replay_count", sa.Integer), sa.column("last_seen_at", sa.DateTime))


def _merge_replays(conn):
    """A platform id stored several times: its first delivery that made a lead (else its first)
    keeps the count of the others, which go."""
    d = DELIVERY.c
    twice = conn.execute(sa.select(d.channel, d.external_id).where(d.external_id.is_not(None))
                         .group_by(d.channel, d.external_id).having(sa.func.count() > 1)).all()
    for channel, external_id in twice:
        rows = conn.execute(sa.select(d.id, d.status, d.received_at).where(
            d.channel == channel, d.external_id == external_id).order_by(d.id)).all()
        keeper = next((r for r in rows if r.status in ("created", "duplicate")), rows[0])
        others = [r.id for r in rows if r.id != keeper.id]
        conn.execute(DELIVERY.update().where(d.id == keeper.id).values(
            replay_count=len(others), last_seen_at=max(r.received_at for r in rows)))
        conn.execute(DELIVERY.delete().where(d.id.in_(others)))


def upgrade():
    with op.batch_alter_table('intake_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replay_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
    _merge_replays(op.get_bind())
    with op.batch_alter_table('intake_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_external')
        batch_op.create_index('ix_intake_external', ['channel', 'external_id'], unique=True)


def downgrade():
    with op.batch_alter_table('intake_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_external')
        batch_op.create_index('ix_intake_external', ['channel', 'external_id'], unique=False)
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('replay_count')
