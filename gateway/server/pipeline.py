"""The federated pipeline behind `/graphql`: authenticate → prepare → authorize → plan (and
cost) → admit (rate limits) → execute → record usage, HTTP-agnostic.

It never raises: request errors, forbidden methods and internal failures all come back as an
`Outcome` the transport turns into a response. Internal failures are logged with a trace id and
answered as GraphQL answers a failed execution, never with a 500: status 200, `data: null` and
one error, `INTERNAL_SERVER_ERROR` with the trace id (`QUERY_PLANNING_FAILED` when the planner
failed on a valid operation, the operation in the log).

Preparing a large text and planning a large operation run on a worker thread, so one request
never holds the event loop (and `/health`, and every other client) for more than a few
milliseconds; the operation limits bound how long the thread works.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphql import FieldNode, GraphQLSchema

from gateway.auth import (
    AuthenticationError,
    Authenticator,
    AuthError,
    AuthorizedOperation,
    Authorizer,
    Principal,
    SchemaViews,
    UnauthorizedOperation,
    denied_requirements,
    deny_all,
    report_denied,
)
from gateway.auth.errors import INVALID_TOKEN_CHALLENGE
from gateway.auth.policy import PolicyHook
from gateway.demand import CostCache, CostFormula, CostTooExpensive
from gateway.errors import ClientError
from gateway.execution import ShapedCost, SubgraphClient, SupergraphLike, execute
from gateway.execution.client import JsonObject
from gateway.execution.introspection import INTROSPECTION_FIELDS
from gateway.execution.redaction import REDACT_ALL, SubgraphErrorPolicy
from gateway.operation import OperationCache, PreparedOperation
from gateway.planning.nodes import OperationKind, QueryPlan
from gateway.planning.override_labels import NO_OVERRIDE_LABELS, OverrideLabels, RandomSource
from gateway.ratelimit import NOT_LIMITED, RATE_LIMITED, Admission, RateLimiter
from gateway.server.collapse import CollapsedQueries, Executed
from gateway.subscriptions.shared import Shaped
from gateway.telemetry.logs import REQUEST, RequestFields
from gateway.telemetry.metrics import OPERATION_COST, CountingCache
from gateway.telemetry.observe import observe_outcome
from gateway.telemetry.tracing import Tracing, stage
from gateway.usage import FETCH_TIMINGS, RequestUsage, UsageRecorder

logger = logging.getLogger("gateway.server")

# (operation, the progressive-override labels on for this request) → its plan.
Planner = Callable[[PreparedOperation, frozenset[str]], QueryPlan]
FORWARDED_HEADERS = ("traceparent", "tracestate")
INVALID_REQUEST = "INVALID_GRAPHQL_REQUEST"
PLANNING_FAILED = "QUERY_PLANNING_FAILED"
# Operations with more field selections (fragments expanded) than this are planned on a worker
# thread, cache hits included: planning ~200 selections takes a few milliseconds.
OFF_LOOP_SELECTIONS = 200


@dataclass(frozen=True)
class Outcome:
    response: JsonObject
    # A request error: the operation never ran, so the response has no `data`.
    request_error: bool = False
    # A status the situation dictates whatever the media type (405, 400, 401, 500).
    status: int | None = None
    # Response headers the situation dictates (`WWW-Authenticate` on a 401).
    headers: Mapping[str, str] | None = None


def error_outcome(code: str, message: str, status: int | None = None, **extra: Any) -> Outcome:
    error = {"message": message, "extensions": {"code": code, **extra}}
    return Outcome({"errors": [error]}, request_error=True, status=status)


def planning_failed(fields: RequestFields, query: str) -> Outcome:
    trace_id = fields.trace_id
    logger.exception(
        "query planning failed (trace id %s) for operation %r: %s",
        trace_id,
        fields.requested_operation,
        query,
    )
    error = {
        "message": "The gateway could not plan this operation.",
        "extensions": {"code": PLANNING_FAILED, "traceId": trace_id},
    }
    return Outcome({"data": None, "errors": [error]})


@dataclass(frozen=True)
class Planned:
    """An operation ready to execute: who asked, what they may read, and its plan."""

    state: ServingState
    principal: Principal
    operation: PreparedOperation  # as the client sent it (shaping follows it)
    access: AuthorizedOperation  # the part the principal may read (planned)
    plan: QueryPlan
    forwarded: dict[str, str]  # headers sent to subgraphs (the verified token among them)
    formula: CostFormula | None = None  # its cost, when demand control or limits are on
    estimated: int | None = None
    admission: Admission = NOT_LIMITED

    @property
    def before_shaping(self) -> Callable[[JsonObject, list[JsonObject]], None] | None:
        denied = self.access.denied
        if not denied:
            return None
        return lambda data, errors: report_denied(denied, data, errors)


@dataclass(frozen=True)
class ServingState:
    """Everything derived from one supergraph. A reload builds a new one and swaps it in whole;
    a request reads it once, so it finishes on the supergraph and plans it started with."""

    supergraph: SupergraphLike
    operations: OperationCache
    planner: Planner
    override_labels: OverrideLabels = NO_OVERRIDE_LABELS
    # The auth stage's per-supergraph parts; None for a supergraph without a model (tests).
    authorizer: Authorizer | None = None
    schema_views: SchemaViews | None = None
    # The cache behind `planner` when it is one, for its hit counts (`/metrics`).
    plan_cache: CountingCache | None = None
    # Operations' cost formulas (demand control, rate limits by cost, usage records' fields).
    costs: CostCache | None = None


@dataclass(frozen=True)
class Metering:
    """What the pipeline does about cost and usage; each part is off unless configured."""

    # Add `extensions.cost` to every response (demand control or rate limits are on).
    report_cost: bool = False
    # Refuse operations estimated above this.
    max_cost: int | None = None
    limiter: RateLimiter | None = None
    recorder: UsageRecorder | None = None


NO_METERING = Metering()


class Pipeline:
    def __init__(
        self,
        state: ServingState,
        client: SubgraphClient,
        *,
        forwarded_headers: Collection[str] = FORWARDED_HEADERS,
        random_source: RandomSource | None = None,
        subgraph_errors: SubgraphErrorPolicy = REDACT_ALL,
        authenticator: Authenticator | None = None,
        policy_hook: PolicyHook = deny_all,
        reject_unauthorized: bool = False,
        tracing: Tracing | None = None,
        metering: Metering = NO_METERING,
        collapse: CollapsedQueries | None = None,
    ) -> None:
        """`random_source` rolls the `percent(N)` override labels; tests pass a seeded
        `random.Random`. The default, the `random` module, is reseeded in forked workers.
        Without an `authenticator` no token is trusted: every caller is anonymous, and a
        request with a token is refused. `tracing` records a span per request and stage when
        it has a tracer. With `collapse`, identical queries in flight at the same moment share
        one execution (`gateway.server.collapse`)."""
        self.state = state
        self.client = client
        # Never from the client's headers as they are: the verified token is added per request.
        self.forwarded_headers = tuple(
            name for name in forwarded_headers if name.lower() != "authorization"
        )
        self.random_source: RandomSource = random if random_source is None else random_source
        self.subgraph_errors = subgraph_errors
        self.authenticator = authenticator or Authenticator(None)
        self.policy_hook = policy_hook
        self.reject_unauthorized = reject_unauthorized
        self.tracing = tracing or Tracing()
        self.metering = metering
        self.collapse = collapse

    @property
    def supergraph(self) -> SupergraphLike:
        return self.state.supergraph

    def swap(self, state: ServingState) -> None:
        self.state = state

    async def run(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        *,
        allowed_kinds: Collection[OperationKind] = ("query", "mutation"),
        headers: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Answer one operation, traced (when tracing is on), timed and counted."""
        headers = headers or {}
        fields = RequestFields(headers, operation_name)
        started = time.perf_counter()
        token = REQUEST.set(fields)
        recorder = self.metering.recorder
        usage = RequestUsage() if recorder is not None else None
        timings = FETCH_TIMINGS.set(usage.timings) if usage is not None else None
        try:
            if self.tracing.tracer is None:
                outcome = await self._run(fields, query, variables, allowed_kinds, headers, usage)
            else:
                with self.tracing.request(headers) as span:
                    outcome = await self._run(
                        fields, query, variables, allowed_kinds, headers, usage
                    )
                    self.tracing.annotate(span, fields, outcome.status)
        finally:
            REQUEST.reset(token)
            if timings is not None:
                FETCH_TIMINGS.reset(timings)
        observe_outcome(fields, outcome.response, outcome.request_error, outcome.status, started)
        if recorder is not None and usage is not None:
            status = outcome.status or (400 if outcome.request_error else 200)
            recorder.record(
                usage.record(
                    time=datetime.now(UTC),
                    query=query,
                    operation_name=fields.operation,
                    operation_kind=fields.kind,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    response=outcome.response,
                    http_status=status,
                )
            )
        return outcome

    async def _run(
        self,
        fields: RequestFields,
        query: str | None,
        variables: Mapping[str, Any] | None,
        allowed_kinds: Collection[OperationKind],
        headers: Mapping[str, str],
        usage: RequestUsage | None = None,
    ) -> Outcome:
        state = self.state
        try:
            planned = await self._plan(
                state, fields, query, variables, allowed_kinds, headers, usage
            )
            if isinstance(planned, Outcome):
                return planned
            if usage is not None:
                usage.executed = True
            with stage("execute"):
                response, counted = await self._execute(planned, variables, headers, usage)
            if planned.formula is None or planned.estimated is None:
                return Outcome(response)
            return await self._costed(
                response, planned.formula, planned.estimated, planned.admission, usage, counted
            )
        except Exception as error:
            return self._refusal(fields, error)

    async def _execute(
        self,
        planned: Planned,
        variables: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        usage: RequestUsage | None,
    ) -> Executed:
        state = planned.state

        async def execution() -> Executed:
            cost = shaped_cost(planned)
            response = await execute(
                planned.plan,
                planned.access.operation,
                variables,
                state.supergraph,
                self.client,
                planned.forwarded,
                self.subgraph_errors,
                shaped_operation=planned.operation,
                introspection_schema=self._schema_view(state, planned.operation, planned.principal),
                before_shaping=planned.before_shaping,
                cost=cost,
            )
            return Executed(response, cost.count if cost is not None else None)

        collapse = self.collapse
        if collapse is None or planned.operation.kind != "query":
            return await execution()
        identities = (state, planned.plan, planned.operation)
        key = collapse.key(identities, variables, headers)
        if key is None:
            return await execution()
        return await collapse.share(key, execution, usage.timings if usage is not None else None)

    async def operation_kind(
        self, query: str | None, operation_name: str | None
    ) -> OperationKind | None:
        """The kind of the operation the text names; None when it does not prepare (whoever
        answers it reports why)."""
        if not isinstance(query, str) or not isinstance(operation_name, str | None):
            return None
        state = self.state
        try:
            operation = await state.operations.prepare_async(
                query, operation_name, state.supergraph.api_schema
            )
        except ClientError:
            return None
        return operation.kind

    async def plan_subscription(
        self,
        query: str | None,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        headers: Mapping[str, str],
    ) -> Planned | Outcome:
        """Everything a subscription needs before it opens upstream, or why it cannot run."""
        fields = RequestFields(headers, operation_name)
        kinds: tuple[OperationKind] = ("subscription",)
        try:
            return await self._plan(self.state, fields, query, variables, kinds, headers)
        except Exception as error:
            return self._refusal(fields, error)

    async def _plan(
        self,
        state: ServingState,
        fields: RequestFields,
        query: str | None,
        variables: Mapping[str, Any] | None,
        allowed_kinds: Collection[OperationKind],
        headers: Mapping[str, str],
        usage: RequestUsage | None = None,
    ) -> Planned | Outcome:
        """authenticate → prepare → authorize → plan and cost → admit."""
        principal = await self.authenticator.principal(headers)
        fields.app = principal.app_id  # verified: labels metrics, spans and logs
        if usage is not None:
            usage.principal = principal
        if not query:
            return error_outcome("MISSING_QUERY_STRING", "Must provide query string.", 400)
        # The HTTP view checks these too; websocket payloads reach here unchecked.
        if not isinstance(query, str) or not isinstance(fields.requested_operation, str | None):
            return error_outcome(
                INVALID_REQUEST, "`query` and `operationName` must be strings", 400
            )
        if not isinstance(variables, Mapping | None):
            return error_outcome(INVALID_REQUEST, "`variables` must be an object", 400)
        with stage("parse_validate"):
            operation = await state.operations.prepare_async(
                query, fields.requested_operation, state.supergraph.api_schema
            )
        fields.identify(operation.name, operation.kind)
        if usage is not None:
            usage.operation_hash = operation.hash
        if operation.kind not in allowed_kinds:
            return forbidden(operation.kind)
        access = self._authorize(state, operation, principal)
        labels = state.override_labels.roll(self.random_source)
        with stage("plan"):
            try:
                if operation.selections > OFF_LOOP_SELECTIONS:
                    plan, formula = await asyncio.to_thread(
                        plan_and_cost, state, access.operation, labels
                    )
                else:
                    plan, formula = plan_and_cost(state, access.operation, labels)
            except Exception:
                # The operation is valid and the supergraph composed, so this is a planner
                # (or cost compiler) bug: logged with the operation, answered as a GraphQL
                # error, never a 500.
                return planning_failed(fields, query)
        estimated = self._estimate(formula, variables, usage)
        admission = NOT_LIMITED
        if self.metering.limiter is not None:
            admission = await self.metering.limiter.admit(principal, estimated or 0)
            if not admission.allowed:
                return rate_limited(admission, estimated)
        forwarded = {name: headers[name] for name in self.forwarded_headers if name in headers}
        if principal.authenticated:
            # Subgraphs verify the same token again: they trust no principal header.
            forwarded["authorization"] = headers["authorization"]
        return Planned(
            state, principal, operation, access, plan, forwarded, formula, estimated, admission
        )

    def _refusal(self, fields: RequestFields, error: Exception) -> Outcome:
        if isinstance(error, AuthError):
            challenge = (
                {"www-authenticate": INVALID_TOKEN_CHALLENGE}
                if isinstance(error, AuthenticationError)
                else None
            )
            return Outcome(
                {"errors": [dict(item.formatted) for item in error.errors]},
                request_error=True,
                status=error.status,
                headers=challenge,
            )
        if isinstance(error, ClientError):
            return Outcome(
                {"errors": [dict(item.formatted) for item in error.errors]},
                request_error=True,
            )
        trace_id = fields.trace_id
        logger.error(
            "internal error answering an operation (trace id %s)", trace_id, exc_info=error
        )
        # The request was valid: a failure of ours is answered as a failed execution (status
        # 200, `data: null`), never a 500.
        failure = {
            "message": "Internal server error",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "traceId": trace_id},
        }
        return Outcome({"data": None, "errors": [failure]})

    def _estimate(
        self,
        formula: CostFormula | None,
        variables: Mapping[str, Any] | None,
        usage: RequestUsage | None,
    ) -> int | None:
        """The operation's estimated cost; refuses it when above the maximum."""
        if formula is None:
            return None
        estimated = formula.estimate(variables)
        if usage is not None:
            usage.fields = formula.coordinates
            usage.estimated_cost = estimated
        maximum = self.metering.max_cost
        if maximum is not None and estimated > maximum:
            raise CostTooExpensive(estimated, maximum)
        OPERATION_COST.observe(estimated)
        return estimated

    async def _costed(
        self,
        response: JsonObject,
        formula: CostFormula,
        estimated: int,
        admission: Admission,
        usage: RequestUsage | None,
        counted: int | None = None,
    ) -> Outcome:
        """The response with its actual cost (as shaping `counted` it, else by walking the
        response), and the caller's buckets once the unspent part of the estimate is given
        back."""
        data = response.get("data")
        actual = formula.actual(data) if counted is None else formula.actual_counted(data, counted)
        if usage is not None:
            usage.actual_cost = actual
        limiter = self.metering.limiter
        if limiter is not None and admission.limited:
            admission = await limiter.settle(admission, estimated, actual)
        if not self.metering.report_cost:
            return Outcome(response)
        cost = cost_extension(estimated, actual, admission)
        extensions = {**(response.get("extensions") or {}), "cost": cost}
        answer = (
            # Shared by collapsed requests: its `data` stays encoded once for all of them.
            response.with_entries(extensions=extensions)
            if isinstance(response, Shaped)
            else {**response, "extensions": extensions}
        )
        return Outcome(answer, headers=admission.headers() or None)

    def _authorize(
        self, state: ServingState, operation: PreparedOperation, principal: Principal
    ) -> AuthorizedOperation:
        if state.authorizer is None:
            return AuthorizedOperation(operation)
        access = state.authorizer.authorize(operation, principal)
        if access.denied and self.reject_unauthorized:
            raise UnauthorizedOperation([list(field.steps) for field in access.denied])
        return access

    def _schema_view(
        self, state: ServingState, operation: PreparedOperation, principal: Principal
    ) -> GraphQLSchema | None:
        """The caller's view of the schema, for an operation that introspects."""
        views = state.schema_views
        if views is None or not any(
            isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS
            for selection in operation.selection_set.selections
        ):
            return None
        return views.view(denied_requirements(principal, views.requirements, self.policy_hook))


def shaped_cost(planned: Planned) -> ShapedCost | None:
    """What shaping counts of the operation's actual cost, when it can count what
    `CostFormula.actual` would: the operation has a formula whose response keys each have one
    cost node, and it runs as the client sent it (the formula is of the authorized part)."""
    formula = planned.formula
    if (
        formula is None
        or not formula.one_node_per_key
        or planned.access.operation is not planned.operation
    ):
        return None
    return ShapedCost(formula.counted)


def plan_and_cost(
    state: ServingState, operation: PreparedOperation, labels: frozenset[str]
) -> tuple[QueryPlan, CostFormula | None]:
    plan = state.planner(operation, labels)
    return plan, state.costs.get(operation) if state.costs is not None else None


def cost_extension(estimated: int, actual: int | None, admission: Admission) -> JsonObject:
    """`extensions.cost`, in the names Shopify's API uses."""
    cost: JsonObject = {"requestedQueryCost": estimated}
    if actual is not None:
        cost["actualQueryCost"] = actual
    throttle = admission.throttle_status()
    if throttle is not None:
        cost["throttleStatus"] = throttle
    return cost


def rate_limited(admission: Admission, estimated: int | None) -> Outcome:
    seconds = max(1, math.ceil(admission.retry_after))
    error = {
        "message": f"Rate limit exceeded: retry in {seconds} s",
        "extensions": {"code": RATE_LIMITED, "retryAfterSeconds": seconds},
    }
    response: JsonObject = {"errors": [error]}
    if estimated is not None:
        response["extensions"] = {"cost": cost_extension(estimated, None, admission)}
    return Outcome(response, request_error=True, status=429, headers=admission.headers())


def forbidden(kind: OperationKind) -> Outcome:
    if kind == "mutation":
        return error_outcome("MUTATION_FORBIDDEN", "Mutations can only be sent over HTTP POST", 405)
    return error_outcome(
        "SUBSCRIPTION_FORBIDDEN",
        "Subscriptions need a websocket, server-sent events or multipart HTTP",
        405,
    )
