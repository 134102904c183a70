"""Hot reload: swap in a new supergraph while serving (docs/architecture.md §2, transport).

Two sources: the supergraph file `switchboard serve --supergraph FILE` was given (reloaded when
it changes), or a composition config (`--compose schema/supergraph.yaml --poll SECONDS`),
recomposed from the live subgraphs on every poll. Either way the new supergraph replaces the old
one only if it loads (and composes); otherwise the old one keeps serving and the error is
logged. Loading runs in a thread, so the event loop keeps serving while a large supergraph
loads; the swap is one assignment, so a request in flight finishes on the state it began with.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from gateway.server.app import Watch
from gateway.server.config import GatewayConfig
from gateway.server.loading import build_state
from gateway.server.pipeline import Pipeline, ServingState

logger = logging.getLogger("gateway.reload")

# Reads the current supergraph SDL, or raises `ReloadError` saying why there is none.
SupergraphSource = Callable[[], Awaitable[str]]
# Builds the serving state of a supergraph SDL; blocking, so it runs in a thread.
StateBuilder = Callable[[str, GatewayConfig], ServingState]


class ReloadError(Exception):
    """The new supergraph could not be produced (unreadable file, failed composition)."""


def watch_file(path: Path, interval_seconds: float = 1.0) -> Watch:
    """Reload `path` when its modification time or size changes."""

    def fingerprint() -> tuple[int, int] | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size)

    async def read() -> str:
        try:
            return await asyncio.to_thread(path.read_text, encoding="utf-8")
        except OSError as error:
            raise ReloadError(f"cannot read {path}: {error}") from None

    async def watch(pipeline: Pipeline, config: GatewayConfig) -> None:
        # Not the file's fingerprint now: it may have changed since the served supergraph was
        # read from it. The first look compares the text (`reload` skips an identical one).
        seen: tuple[int, int] | None = (-1, -1)
        while True:
            await asyncio.sleep(interval_seconds)
            current = fingerprint()
            if current != seen:
                seen = current
                await reload(pipeline, config, read, str(path))

    return watch


def watch_source(source: SupergraphSource, label: str, interval_seconds: float) -> Watch:
    """Ask `source` for the supergraph every `interval_seconds`; swap when its text changes."""

    async def watch(pipeline: Pipeline, config: GatewayConfig) -> None:
        while True:
            await asyncio.sleep(interval_seconds)
            await reload(pipeline, config, source, label)

    return watch


async def reload(
    pipeline: Pipeline,
    config: GatewayConfig,
    source: SupergraphSource,
    label: str,
    *,
    build: StateBuilder = build_state,
) -> bool:
    """One attempt: True when a new supergraph was swapped in. `build` makes the new state
    (tests pass one that signals where the load is)."""
    try:
        sdl = await source()
        current = getattr(pipeline.supergraph, "sdl", None)
        if sdl == current:
            return False
        # A large supergraph takes seconds to load: in a thread, requests keep being served
        # meanwhile on the state they have.
        state = await asyncio.to_thread(build, sdl, config)
    except ReloadError as error:
        logger.error("supergraph from %s not reloaded, still serving the previous one: %s",
                     label, error)  # fmt: skip
        return False
    except Exception as error:  # a supergraph that does not load, whatever the cause
        logger.error("supergraph from %s does not load, still serving the previous one: %s",
                     label, error)  # fmt: skip
        return False
    pipeline.swap(state)
    logger.info("supergraph reloaded from %s", label)
    return True


def compose_from_config(config_path: Path) -> str:
    """The supergraph of the subgraphs `config_path` names (their SDL files, or their live
    `_service { sdl }`); `ReloadError` with the coded errors when it does not compose."""
    from gateway.composition import CompositionFailure, compose
    from gateway.composition.config import CompositionConfigError, load_subgraphs

    try:
        definitions = load_subgraphs(config_path)
    except CompositionConfigError as error:
        raise ReloadError(str(error)) from None
    result = compose(definitions)
    if isinstance(result, CompositionFailure):
        raise ReloadError("; ".join(f"{e.code}: {e.message}" for e in result.errors))
    return result.supergraph_sdl


def composition_source(config_path: Path) -> SupergraphSource:
    """`compose_from_config` in a thread: introspection and composition block."""

    async def source() -> str:
        return await asyncio.to_thread(compose_from_config, config_path)

    return source
