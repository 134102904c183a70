"""accounts: users (Apollo's classic example)."""

from __future__ import annotations

from bench.subgraphs.data import USERS, USERS_BY_ID
from bench.subgraphs.definition import Record, SubgraphDefinition

SDL = """extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

type Query {
  me: User
  users: [User!]!
}

type User @key(fields: "id") {
  id: ID!
  name: String
  username: String @shareable
}
"""


def _user(representation: Record) -> Record | None:
    return USERS_BY_ID.get(str(representation.get("id")))


ACCOUNTS = SubgraphDefinition(
    name="accounts",
    sdl=SDL,
    resolvers={
        "Query": {
            "me": lambda _parent, _arguments: USERS[0],
            "users": lambda _parent, _arguments: USERS,
        }
    },
    entities={"User": _user},
)
