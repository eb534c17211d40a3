"""Rechecks: item_checks, the fingerprint of each inventory item's last recheck (server/watch.py).

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-10
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_checks",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("inventory.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("artifact", sa.String(420), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("item_checks")
