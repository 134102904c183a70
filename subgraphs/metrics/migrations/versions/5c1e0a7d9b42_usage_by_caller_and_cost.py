"""usage records of anonymous callers, with cost, workspace, kind and error codes; app owners

Revision ID: 5c1e0a7d9b42
Revises: 02704d5db2e3
Create Date: 2026-12-01 10:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5c1e0a7d9b42'
down_revision: str | None = '02704d5db2e3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('usage_record', schema=None) as batch_op:
        batch_op.alter_column('app_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('workspace_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('operation_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('estimated_cost', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('actual_cost', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('error_codes', sa.JSON(), nullable=False, server_default='[]')
        )
    op.create_table(
        'app_owner',
        sa.Column('app_id', sa.String(length=64), nullable=False),
        sa.Column('organization_id', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('app_id'),
    )
    with op.batch_alter_table('app_owner', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_app_owner_organization_id'), ['organization_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('app_owner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_owner_organization_id'))
    op.drop_table('app_owner')
    with op.batch_alter_table('usage_record', schema=None) as batch_op:
        batch_op.drop_column('error_codes')
        batch_op.drop_column('actual_cost')
        batch_op.drop_column('estimated_cost')
        batch_op.drop_column('operation_kind')
        batch_op.drop_column('workspace_id')
        batch_op.alter_column('app_id', existing_type=sa.String(length=64), nullable=False)
