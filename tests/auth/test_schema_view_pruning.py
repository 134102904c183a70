"""What a schema view leaves out once a requirement is denied, until nothing changes: a type
left without fields, then every field returning it, over as many rounds as it takes; an
interface field one implementation lost; a union's hidden members, and the union once none is
left. What stays: every type reachable from a root, `Mutation` and `Subscription` included,
and implementations reachable only through their interface (`gateway/auth/schema_view.py`)."""

from __future__ import annotations

from graphql import build_schema, print_schema

from gateway.auth.schema_view import build_view
from gateway.supergraph.model import Authorization, CompositeType, Field

GUARD = Authorization(scopes=(("vault:read",),))
SDL = """
type Query { shop: Shop  open: String  node: Node  found: Found  either: Either }
type Mutation { publish: Receipt }
type Subscription { receipts: Receipt }
type Shop { secret: Vault }
type Vault { key: String }
interface Node { id: ID  secret: String }
type Doc implements Node { id: ID  secret: String }
type Page implements Node { id: ID  secret: String }
union Found = Vault | Doc
union Either = Vault
type Receipt { id: ID }
"""


def guarded(type_name: str, field_name: str) -> CompositeType:
    return CompositeType(
        name=type_name,
        kind="object",
        fields={field_name: Field(field_name, "String", "String", {}, authorization=GUARD)},
        graphs={},
        implements={},
    )


def test_a_denied_field_prunes_what_depends_on_it_over_several_rounds() -> None:
    # `Vault.key` is denied: Vault has no field left, so `Shop.secret` goes, then Shop, then
    # `Query.shop`; Doc's `secret` goes, and so Node's; Vault leaves Found and Either, and
    # Either, with no member left, leaves Query. Page, reachable only as a Node, stays.
    types = {"Vault": guarded("Vault", "key"), "Doc": guarded("Doc", "secret")}
    view = build_view(build_schema(SDL), types, frozenset({GUARD}))

    assert print_schema(view).strip() == (
        """
type Query {
  open: String
  node: Node
  found: Found
}

type Mutation {
  publish: Receipt
}

type Subscription {
  receipts: Receipt
}

interface Node {
  id: ID
}

type Doc implements Node {
  id: ID
}

type Page implements Node {
  id: ID
  secret: String
}

union Found = Doc

type Receipt {
  id: ID
}
""".strip()
    )


def view_of(sdl: str, *denied_fields: tuple[str, str]) -> str:
    types = {type_name: guarded(type_name, field) for type_name, field in denied_fields}
    return print_schema(build_view(build_schema(sdl), types, frozenset({GUARD}))).strip()


def test_each_change_alone_is_followed_to_its_end() -> None:
    # Each case changes one thing in its first round, which another type, seen earlier in
    # that round, depends on.
    assert view_of(
        "type Query { shop: Shop  open: String }  type Shop { secret: Vault  name: String }"
        "  type Vault { key: String }",
        ("Vault", "key"),
    ) == ("type Query {\n  shop: Shop\n  open: String\n}\n\ntype Shop {\n  name: String\n}")
    assert view_of(
        "type Query { node: Node }  interface Node { id: ID  secret: String }"
        "  type Doc implements Node { id: ID  secret: String }",
        ("Doc", "secret"),
    ) == (
        "type Query {\n  node: Node\n}\n\ninterface Node {\n  id: ID\n}\n\n"
        "type Doc implements Node {\n  id: ID\n}"
    )
    assert (
        view_of(
            "type Query { box: Box }  type Box implements Sealed { id: ID  code: String }"
            "  interface Sealed { code: String }",
            ("Sealed", "code"),
        )
        == "type Query {\n  box: Box\n}\n\ntype Box {\n  id: ID\n  code: String\n}"
    )


def test_a_schema_naming_its_own_roots_keeps_them_and_loses_an_emptied_one() -> None:
    # Composition names the roots Query, Mutation and Subscription, but the view takes what
    # the schema definition says: `Feed` loses its one field (Vault is emptied), so the
    # definition no longer names a subscription; a type called Query that is no root goes.
    sdl = (
        '"The shop."\n'
        "schema { query: Root  mutation: Change  subscription: Feed }\n"
        "type Root { open: String  vault: Vault }  type Change { close: String }"
        "  type Feed { vault: Vault }  type Vault { key: String }  type Query { stray: String }"
    )
    assert view_of(sdl, ("Vault", "key")) == (
        '"""The shop."""\nschema {\n  query: Root\n  mutation: Change\n}\n\n'
        "type Root {\n  open: String\n}\n\ntype Change {\n  close: String\n}"
    )
