"""Webhooks: the platform calls an app's endpoint with the events that concern it.

The sender (`python -m subgraphs.apps.webhooks`) reads the event
bus from a stored position (`consumer`), queues one delivery per event and interested endpoint in
the apps database (`queue`), and sends them signed the Standard Webhooks way (`signing`) to
addresses the guard lets through (`destinations`), retrying on a schedule (`schedule`).
`docs/design/webhooks.md` tells the whole story.
"""
