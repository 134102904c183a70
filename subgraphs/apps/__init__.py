"""The apps subgraph: the app registry (apps, their owner organizations, credentials, webhooks)."""
