"""The store's tables (SQLAlchemy 2 declarative). The schema changes only through a migration
in `migrations/versions/`; a test checks the two agree."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class Token(Base):
    """A bearer token for writes. Only its SHA-256 is stored; `prefix` names it in lists."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)  # None: never


class InventoryItem(Base):
    """A model or dataset the organisation uses, in one project."""

    __tablename__ = "inventory"
    __table_args__ = (UniqueConstraint("project", "kind", "artifact_id", name="uq_inventory_item"),
                      Index("ix_inventory_project", "project"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    artifact_id: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(16))  # model | dataset
    project: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class SavedPolicy(Base):
    """A policy (clearance.toml text). At most one is active: inventory status uses it."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    toml: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One write: who (the token's name), what, on what, and the details."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(400), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class ItemCheck(Base):
    """The last recheck of an inventory item (server/watch.py): the artifact it was made for
    (`kind:id`, lower-cased as lock keys are), when, and its fingerprint — the item's lineage as
    a one-lineage clearance.lock text (per artifact: declared licenses, resolved licenses,
    license-file hashes, parents; the verdict per use on the item itself) — with its SHA-256."""

    __tablename__ = "item_checks"

    item_id: Mapped[int] = mapped_column(Integer, ForeignKey("inventory.id", ondelete="CASCADE"), primary_key=True)
    artifact: Mapped[str] = mapped_column(String(420))
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    digest: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(Text)
