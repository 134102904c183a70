"""What the four platform subgraphs share: database, migrations, events, paging, errors, serving."""
