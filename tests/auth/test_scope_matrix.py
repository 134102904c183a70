"""Every field of the platform supergraph that carries `@authenticated` or `@requiresScopes`,
queried with no token, with a token lacking its scope and with a token holding it. The cases
come from the supergraph (`scope_matrix.cases`): a new guarded field is covered as it is."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FieldNode, Visitor, parse, visit

from tests.auth.harness import auth_gateway, platform_supergraph
from tests.auth.scope_matrix import Case, cases

CASES = cases(platform_supergraph())
UNAUTHORIZED = "UNAUTHORIZED_FIELD_OR_TYPE"


def test_the_matrix_covers_every_guarded_field() -> None:
    assert len(CASES) >= 40
    assert {"App.usageSummary", "Query.installations", "Mutation.createWorkspace"} <= {
        case.coordinate for case in CASES
    }


def field_names(query: str) -> set[str]:
    names: set[str] = set()

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            names.add(node.name.value)

    visit(parse(query), Collect())
    return names


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path`, or None where the path meets a null."""
    for step in path:
        if data is None:
            return None
        data = data[step]
    return data


def refused(body: dict[str, Any], case: Case, *, at_or_above: bool = False) -> None:
    errors = [
        error for error in body.get("errors", []) if error["extensions"]["code"] == UNAUTHORIZED
    ]
    paths = [tuple(error["path"]) for error in errors]
    if at_or_above:
        assert any(case.path[: len(path)] == path for path in paths), body
    else:
        assert paths == [case.path], body
    assert value_at(body.get("data"), case.path) is None, body


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_scope_matrix(case: Case) -> None:
    async with auth_gateway() as gateway:
        issuer = gateway.issuer
        anonymous = await gateway.body(case.operation)
        refused(anonymous, case, at_or_above=True)

        if not case.authenticated_only:
            lacking = issuer.token(app="app_1", scopes=case.path_scopes | {"unrelated:scope"})
            sent_before = len(gateway.subgraphs.requests)
            refused(await gateway.body(case.operation, lacking), case)
            # The denied field was taken out of the plan: no subgraph was asked for it.
            field_name = case.coordinate.split(".")[1]
            on_the_way = {step for step in case.path[:-1] if isinstance(step, str)}
            for query in gateway.subgraphs.queries()[sent_before:]:
                assert field_name in on_the_way or field_name not in field_names(query), query

        holding = issuer.token(app="app_1", scopes=case.path_scopes | case.field_scopes)
        granted = await gateway.body(case.operation, holding)
        assert "errors" not in granted, granted
        assert value_at(granted["data"], case.path) is not None, granted
