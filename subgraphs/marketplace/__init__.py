"""The marketplace subgraph: listings of published apps, their categories and reviews."""
