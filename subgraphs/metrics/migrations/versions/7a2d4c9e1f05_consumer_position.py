"""consumer_position: where the app owners' consumer stopped reading the bus

Revision ID: 7a2d4c9e1f05
Revises: 5c1e0a7d9b42
Create Date: 2026-12-01 13:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '7a2d4c9e1f05'
down_revision: str | None = '5c1e0a7d9b42'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('consumer_position',
    sa.Column('consumer', sa.String(length=64), nullable=False),
    sa.Column('last_event_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer')
    )


def downgrade() -> None:
    op.drop_table('consumer_position')
