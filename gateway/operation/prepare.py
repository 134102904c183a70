"""`prepare`: source text → `PreparedOperation`, one step per concern.

parse → validate (graphql-core's rules, against the API schema) → choose the operation →
normalize → limits → hash. Each failure is an `OperationError` with Apollo Router's code.
"""

from __future__ import annotations

import hashlib

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    print_ast,
    validate,
)

from gateway.errors import with_code
from gateway.operation.errors import (
    OPERATION_NAME_REQUIRED,
    PARSE_FAILED,
    UNKNOWN_OPERATION_NAME,
    VALIDATION_FAILED,
    OperationError,
)
from gateway.operation.limits import OperationLimits, check_limits
from gateway.operation.normalize import normalize_selection_set
from gateway.operation.prepared import PreparedOperation
from gateway.planning.nodes import OperationKind

NO_LIMITS = OperationLimits()


def prepare(
    source: str,
    operation_name: str | None,
    schema: GraphQLSchema,
    limits: OperationLimits = NO_LIMITS,
) -> PreparedOperation:
    document = parse_document(source)
    validation_errors = validate(schema, document)
    if validation_errors:
        raise OperationError(
            VALIDATION_FAILED, [with_code(error, VALIDATION_FAILED) for error in validation_errors]
        )
    definition = choose_operation(document, operation_name)
    fragments = {
        fragment.name.value: fragment
        for fragment in document.definitions
        if isinstance(fragment, FragmentDefinitionNode)
    }
    selection_set = normalize_selection_set(definition.selection_set, fragments)
    check_limits(selection_set, limits)
    kind: OperationKind = definition.operation.value
    root_type = schema.get_root_type(definition.operation)
    assert root_type is not None, "validation guarantees the schema has this root type"
    normalized = OperationDefinitionNode(
        operation=definition.operation,
        name=definition.name,
        variable_definitions=definition.variable_definitions,
        directives=definition.directives,
        selection_set=selection_set,
    )
    return PreparedOperation(
        document=document,
        definition=definition,
        kind=kind,
        name=definition.name.value if definition.name else None,
        root_type=root_type.name,
        selection_set=selection_set,
        hash=hashlib.sha256(print_ast(normalized).encode()).hexdigest(),
    )


def parse_document(source: str) -> DocumentNode:
    try:
        return parse(source)
    except GraphQLError as error:
        raise OperationError(PARSE_FAILED, [with_code(error, PARSE_FAILED)]) from None


def choose_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    if operation_name:
        for operation in operations:
            if operation.name is not None and operation.name.value == operation_name:
                return operation
        raise OperationError.single(
            UNKNOWN_OPERATION_NAME, f'Unknown operation named "{operation_name}"'
        )
    if len(operations) == 1:
        return operations[0]
    if not operations:
        raise OperationError.single(VALIDATION_FAILED, "Must provide an operation.")
    raise OperationError.single(
        OPERATION_NAME_REQUIRED,
        "Must provide operation name if query contains multiple operations.",
    )
