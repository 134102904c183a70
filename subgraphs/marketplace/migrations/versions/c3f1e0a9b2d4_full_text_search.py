"""full text search: an FTS5 index on SQLite, a tsvector column with a GIN index on PostgreSQL

Revision ID: c3f1e0a9b2d4
Revises: a7004c455050
Create Date: 2026-12-01 07:40:00.000000

Both index the normalized `search_name` (weighted higher) and `search_document` columns the
application already maintains (`subgraphs/marketplace/search.py`), so no application code
writes to the index: SQLite keeps it in step with triggers, PostgreSQL with a generated column.
The `simple` configuration and FTS5's `unicode61` tokenizer both lowercase and split on
punctuation without stemming, so a search means the same on both backends.
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'c3f1e0a9b2d4'
down_revision: str | None = 'a7004c455050'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UPGRADE = [
    # External content: the text lives in `listing`; the index refers to its rowid.
    """CREATE VIRTUAL TABLE fts_listing USING fts5(
        search_name, search_document, content='listing', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 0'
    )""",
    """CREATE TRIGGER fts_listing_insert AFTER INSERT ON listing BEGIN
        INSERT INTO fts_listing(rowid, search_name, search_document)
        VALUES (new.rowid, new.search_name, new.search_document);
    END""",
    """CREATE TRIGGER fts_listing_delete AFTER DELETE ON listing BEGIN
        INSERT INTO fts_listing(fts_listing, rowid, search_name, search_document)
        VALUES ('delete', old.rowid, old.search_name, old.search_document);
    END""",
    """CREATE TRIGGER fts_listing_update AFTER UPDATE OF search_name, search_document ON listing
    BEGIN
        INSERT INTO fts_listing(fts_listing, rowid, search_name, search_document)
        VALUES ('delete', old.rowid, old.search_name, old.search_document);
        INSERT INTO fts_listing(rowid, search_name, search_document)
        VALUES (new.rowid, new.search_name, new.search_document);
    END""",
    "INSERT INTO fts_listing(fts_listing) VALUES ('rebuild')",
]
SQLITE_DOWNGRADE = [
    "DROP TRIGGER fts_listing_update",
    "DROP TRIGGER fts_listing_delete",
    "DROP TRIGGER fts_listing_insert",
    "DROP TABLE fts_listing",
]
POSTGRESQL_UPGRADE = [
    """ALTER TABLE listing ADD COLUMN fts_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_name), 'A')
        || setweight(to_tsvector('simple', search_document), 'B')
    ) STORED""",
    "CREATE INDEX fts_listing_vector ON listing USING gin (fts_vector)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX fts_listing_vector",
    "ALTER TABLE listing DROP COLUMN fts_vector",
]


def upgrade() -> None:
    for statement in SQLITE_UPGRADE if _sqlite() else POSTGRESQL_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWNGRADE if _sqlite() else POSTGRESQL_DOWNGRADE:
        op.execute(statement)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
