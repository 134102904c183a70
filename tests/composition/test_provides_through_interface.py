"""`@provides` through an interface-typed field, and type-level `@external`.

Apollo's composition refuses `animals: [Animal!]! @provides(fields: "name")` (an interface field
cannot be `@external`, so it counts as already provided); we accept it when every
implementation of the interface in that subgraph has the field external, the case the
directive is for (docs/deviations.md). `type Cat @external { ... }` makes every field of that
definition external, as Apollo reads it. The scenario `provides_interface_external` serves the
subgraphs; here its shelter provides through the interface instead of per-type fragments.
"""

from __future__ import annotations

from gateway.composition import CompositionFailure, SubgraphDefinition, compose
from gateway.operation import prepare
from gateway.planning import plan, print_plan
from gateway.supergraph import Supergraph
from tests.conformance.harness import Scenario, routing_url

PER_TYPE = '@provides(fields: "... on Dog { name } ... on Cat { id name }")'


def composed(provides: str) -> CompositionFailure | str:
    scenario = Scenario.load("provides_interface_external")
    definitions = []
    for name in scenario.subgraph_names:
        sdl = scenario.sdl(name)
        if name == "shelter":
            assert PER_TYPE in sdl
            sdl = sdl.replace(PER_TYPE, provides)
        definitions.append(SubgraphDefinition(name, routing_url(name, scenario.name), sdl))
    result = compose(definitions)
    return result if isinstance(result, CompositionFailure) else result.supergraph_sdl


def test_provides_through_an_interface_field_plans_without_the_owner() -> None:
    sdl = composed('@provides(fields: "name ... on Cat { id }")')
    assert isinstance(sdl, str), sdl
    supergraph = Supergraph.from_sdl(sdl)
    operation = prepare("{ shelters { animals { name } } }", None, supergraph.api_schema)
    assert print_plan(plan(supergraph, operation)) == (
        "QueryPlan {\n"
        '  Fetch(service: "shelter") {\n'
        "    {\n"
        "      shelters {\n"
        "        animals {\n"
        "          __typename\n"
        "          name\n"
        "        }\n"
        "      }\n"
        "    }\n"
        "  },\n"
        "}"
    )


def test_an_interface_field_some_implementation_resolves_cannot_be_provided() -> None:
    # Dog.id is not external in shelter: providing `id` through the interface is refused.
    failure = composed('@provides(fields: "id name")')
    assert isinstance(failure, CompositionFailure)
    assert [error.code for error in failure.errors] == ["PROVIDES_FIELDS_MISSING_EXTERNAL"]
