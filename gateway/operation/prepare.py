"""`prepare`: source text → `PreparedOperation`, one step per concern.

parse (token limit) → nesting limit → validate (graphql-core's rules, against the API schema)
→ choose the operation → measure the expanded size (limits) → normalize → limits → hash. Each
failure is an `OperationError` with Apollo Router's code.

The hash is of the document text and the operation name: hashing a printed normalized form
would print every fragment expansion, which is exponential in the text's size.
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
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from gateway.errors import with_code
from gateway.operation.errors import (
    OPERATION_NAME_REQUIRED,
    PARSE_FAILED,
    UNKNOWN_OPERATION_NAME,
    VALIDATION_FAILED,
    OperationError,
)
from gateway.operation.limits import OperationLimits, check_limits, check_nesting, check_size
from gateway.operation.normalize import normalize_selection_set
from gateway.operation.prepared import PreparedOperation
from gateway.operation.size import measure, text_nesting
from gateway.planning.nodes import OperationKind

NO_LIMITS = OperationLimits()
WITHOUT_INTROSPECTION = (*specified_rules, NoSchemaIntrospectionCustomRule)


def prepare(
    source: str,
    operation_name: str | None,
    schema: GraphQLSchema,
    limits: OperationLimits = NO_LIMITS,
    *,
    introspection: bool = True,
) -> PreparedOperation:
    """`introspection=False` refuses `__schema` and `__type` in validation and leaves the
    "Did you mean ...?" suggestions out of validation messages: without introspection, they
    would tell a client the schema field by field."""
    document = parse_document(source, limits.parser_max_tokens)
    check_nesting(text_nesting(document), limits)
    if introspection:
        validation_errors = validate(schema, document)
    else:
        validation_errors = validate(schema, document, WITHOUT_INTROSPECTION, hide_suggestions=True)
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
    size = measure(definition.selection_set, fragments)
    check_size(size, limits)
    selection_set = normalize_selection_set(definition.selection_set, fragments)
    check_limits(selection_set, limits)
    kind: OperationKind = definition.operation.value
    root_type = schema.get_root_type(definition.operation)
    assert root_type is not None, "validation guarantees the schema has this root type"
    name = definition.name.value if definition.name else None
    return PreparedOperation(
        document=document,
        definition=definition,
        kind=kind,
        name=name,
        root_type=root_type.name,
        selection_set=selection_set,
        hash=operation_hash(source, name),
        selections=size.selections,
    )


def operation_hash(source: str, name: str | None) -> str:
    digest = hashlib.sha256(source.encode())
    digest.update(b"\0" + (name or "").encode())
    return digest.hexdigest()


def parse_document(source: str, max_tokens: int | None = None) -> DocumentNode:
    try:
        return parse(source, max_tokens=max_tokens)
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
    # Validation refused a document without operations (its fragments would be unused).
    assert operations, "validation guarantees the document has an operation"
    if len(operations) == 1:
        return operations[0]
    raise OperationError.single(
        OPERATION_NAME_REQUIRED,
        "Must provide operation name if query contains multiple operations.",
    )
