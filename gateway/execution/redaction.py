"""What a client learns from a subgraph's GraphQL errors: by default, only their code.

A subgraph's error message can hold anything its code put there: an SQL statement, an
exception's text, a file path; its extensions can hold stack traces. Apollo Router redacts
subgraph errors unless `include_subgraph_errors` says otherwise, and so does the gateway: the
message is replaced, and of the extensions only allow-listed keys (`code` by default) are
kept. The error's path, and the `service` the gateway adds, stay: they are the gateway's, not
the subgraph's. Subgraphs whose errors are meant for clients (the platform's own, in
`switchboard dev`) are included by configuration, per subgraph or all at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

REDACTED_MESSAGE = "Subgraph errors redacted"


@dataclass(frozen=True)
class SubgraphErrorPolicy:
    include_all: bool = False
    # Per subgraph name, overriding `include_all` either way.
    include: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    allowed_extension_keys: Collection[str] = frozenset({"code"})

    def includes(self, service: str) -> bool:
        return self.include.get(service, self.include_all)

    def redact(
        self, message: Any, extensions: Mapping[str, Any], service: str
    ) -> tuple[Any, dict[str, Any]]:
        """The message and extensions the client sees for one subgraph error."""
        if self.includes(service):
            return message, dict(extensions)
        kept = {
            key: value for key, value in extensions.items() if key in self.allowed_extension_keys
        }
        return REDACTED_MESSAGE, kept


# Errors as the subgraphs wrote them: what tests and in-process callers of `execute` get.
INCLUDE_ALL = SubgraphErrorPolicy(include_all=True)
REDACT_ALL = SubgraphErrorPolicy()
