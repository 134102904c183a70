"""identity: users, keys, codes, refresh tokens; app_ref as OAuth client

Revision ID: 75fb966a7cc1
Revises: b839d59eae86
Create Date: 2026-12-01 07:11:12.740608
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '75fb966a7cc1'
down_revision: str | None = 'b839d59eae86'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing app_ref rows get empty values; the next app event about each app fills them.
    op.create_table('authorization_code',
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('redirect_uri', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('code_challenge', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('code_challenge_method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('installation_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code_hash')
    )
    op.create_table('refresh_token',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('family_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('installation_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('access_jti', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('access_expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refresh_token_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refresh_token_installation_id'), ['installation_id'], unique=False)

    op.create_table('revoked_access_token',
    sa.Column('jti', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('jti')
    )
    op.create_table('signing_key',
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('algorithm', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('private_jwe', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retire_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.create_table('user_account',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organization_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('staff_roles', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('workspace_member',
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('workspace_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'workspace_id')
    )
    with op.batch_alter_table('workspace_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workspace_member_workspace_id'), ['workspace_id'], unique=False)

    with op.batch_alter_table('app_ref', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('organization_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('publisher', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=sa.text("''")))
        batch_op.add_column(sa.Column('certification', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default=sa.text("'NONE'")))
        batch_op.add_column(sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('client_secret_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column('redirect_uris', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.create_index(batch_op.f('ix_app_ref_client_id'), ['client_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_app_ref_slug'), ['slug'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('app_ref', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_ref_slug'))
        batch_op.drop_index(batch_op.f('ix_app_ref_client_id'))
        batch_op.drop_column('redirect_uris')
        batch_op.drop_column('client_secret_hash')
        batch_op.drop_column('client_id')
        batch_op.drop_column('certification')
        batch_op.drop_column('publisher')
        batch_op.drop_column('organization_id')
        batch_op.drop_column('name')
        batch_op.drop_column('slug')

    with op.batch_alter_table('workspace_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workspace_member_workspace_id'))

    op.drop_table('workspace_member')
    op.drop_table('user_account')
    op.drop_table('signing_key')
    op.drop_table('revoked_access_token')
    with op.batch_alter_table('refresh_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refresh_token_installation_id'))
        batch_op.drop_index(batch_op.f('ix_refresh_token_family_id'))

    op.drop_table('refresh_token')
    op.drop_table('authorization_code')
    # ### end Alembic commands ###
