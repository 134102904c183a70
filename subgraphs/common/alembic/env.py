"""The one Alembic environment: the caller hands over a connection and the target metadata."""

from alembic import context

from subgraphs.common.migrations import include_object

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=context.config.attributes["metadata"],
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
