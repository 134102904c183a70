"""The installs subgraph: workspaces, the apps installed in them, and who may see which.

It owns `Workspace` and `Installation`, and adds `installations` and `installCount` to the apps
subgraph's `App`. What it must know about apps (status, requested scopes) it keeps in a local
replica fed by the apps subgraph's events, because subgraphs never call each other.
"""
