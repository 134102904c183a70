"""Which subgraphs answered recently: what `/ready` reports.

Every successful fetch marks its subgraph as answering. When `/ready` is asked and a subgraph
has been silent longer than the window, it is probed with `{ __typename }`. Probes are
single-flight per subgraph and a failed probe is not repeated for a second, so a flood of
`/ready` requests cannot become a flood of subgraph requests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from gateway.execution.client import GraphLike, SubgraphClient, SubgraphFetchError, SubgraphRequest

PROBE = SubgraphRequest("query __SwitchboardReadinessProbe { __typename }")
FAILED_PROBE_PAUSE_SECONDS = 1.0


class SubgraphHealth:
    def __init__(
        self,
        window_seconds: float,
        probe_timeout_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window_seconds = window_seconds
        self.probe_timeout_seconds = probe_timeout_seconds
        self.clock = clock
        self._answered: dict[str, float] = {}
        self._failed: dict[str, float] = {}
        self._probes: dict[str, asyncio.Task[None]] = {}

    def answered(self, name: str) -> None:
        self._answered[name] = self.clock()

    def is_up(self, name: str) -> bool:
        last = self._answered.get(name)
        return last is not None and self.clock() - last <= self.window_seconds

    async def check(
        self, graphs: Mapping[str, GraphLike], client: SubgraphClient
    ) -> dict[str, bool]:
        """Each subgraph's state, after probing those not heard from within the window."""
        silent = [graph for name, graph in graphs.items() if not self.is_up(name)]
        if silent:
            await asyncio.gather(*(self._probe(graph, client) for graph in silent))
        return {name: self.is_up(name) for name in graphs}

    def _probe(self, graph: GraphLike, client: SubgraphClient) -> asyncio.Task[None]:
        running = self._probes.get(graph.name)
        if running is not None:
            return running
        task = asyncio.ensure_future(self._run_probe(graph, client))
        self._probes[graph.name] = task
        task.add_done_callback(lambda _: self._probes.pop(graph.name, None))
        return task

    async def _run_probe(self, graph: GraphLike, client: SubgraphClient) -> None:
        failed = self._failed.get(graph.name)
        if failed is not None and self.clock() - failed < FAILED_PROBE_PAUSE_SECONDS:
            return
        try:
            async with asyncio.timeout(self.probe_timeout_seconds):
                response = await client.fetch(graph, PROBE)
        except (SubgraphFetchError, TimeoutError):
            self._failed[graph.name] = self.clock()
            return
        if response.data is not None:
            self.answered(graph.name)
        else:
            self._failed[graph.name] = self.clock()
