"""What every resolver finds in `info.context`."""

from __future__ import annotations

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


Info = StrawberryInfo[SubgraphContext[Any], None]
