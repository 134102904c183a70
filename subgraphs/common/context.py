"""What every resolver finds in `info.context`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from strawberry.types import Info as StrawberryInfo

from subgraphs.common.database import Database
from subgraphs.common.events import EventBus
from subgraphs.common.principal import Principal

Loaders = TypeVar("Loaders")


@dataclass
class SubgraphContext(Generic[Loaders]):
    """Built per request: dataloaders never outlive the request that filled them."""

    database: Database
    bus: EventBus
    principal: Principal
    loaders: Loaders
    # Makes new loaders for the same caller; a websocket connection's context lives as long
    # as it does, so a subscription renews its loaders per event (`renew_loaders`).
    make_loaders: Callable[[], Loaders] | None = None

    def renew_loaders(self) -> Loaders:
        """Fresh loaders, so an event shows the data as it is when the event is delivered."""
        if self.make_loaders is not None:
            self.loaders = self.make_loaders()
        return self.loaders


Info = StrawberryInfo[SubgraphContext[Any], None]
