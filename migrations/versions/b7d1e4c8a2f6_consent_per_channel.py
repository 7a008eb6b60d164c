"""consent per channel with its proof, suppression list, export membership, lead privacy columns

Revision ID: b7d1e4c8a2f6
Revises: a5c7e2d91f30
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e4c8a2f6'
down_revision = 'a5c7e2d91f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'consent_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('stated_at', sa.DateTime(), nullable=True),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('page_url', sa.String(length=2000), nullable=True),
        sa.Column('wording', sa.Text(), nullable=True),
        sa.Column('wording_version', sa.String(length=50), nullable=True),
        sa.Column('platform_fields', sa.Text(), nullable=True),
        sa.Column('import_batch_id', sa.Integer(), nullable=True),
        sa.Column('import_row', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=500), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consent_record_lead', 'consent_record', ['lead_id', 'channel', 'id'])
    op.create_table(
        'suppression',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'),
    )
    op.create_table(
        'export_lead',
        sa.Column('export_file_id', sa.Integer(), nullable=False),
        sa.Column('lead_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['export_file_id'], ['export_file.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('export_file_id', 'lead_id'),
    )
    op.create_index('ix_export_lead_lead_id', 'export_lead', ['lead_id'])
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.add_column(sa.Column('professional', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('last_contact_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_lead_last_contact', ['last_contact_at', 'id'])
    # Retention runs from the last contact: until one is logged, the lead's arrival.
    op.execute("UPDATE lead SET last_contact_at = created_at")
    # The former single box said "may be contacted": it becomes a given consent on each
    # channel it covered, dated as it was (or undated), marked as coming from that box.
    for channel in ('email', 'sms', 'phone'):
        op.execute(
            "INSERT INTO consent_record (lead_id, channel, state, stated_at, method, recorded_at) "
            f"SELECT id, '{channel}', 'given', consent_at, 'legacy', CURRENT_TIMESTAMP "
            "FROM lead WHERE consent_contact = true")


def downgrade():
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_index('ix_lead_last_contact')
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('last_contact_at')
        batch_op.drop_column('professional')
    op.drop_index('ix_export_lead_lead_id', table_name='export_lead')
    op.drop_table('export_lead')
    op.drop_table('suppression')
    op.drop_index('ix_consent_record_lead', table_name='consent_record')
    op.drop_table('consent_record')
