"""An app's lifecycle: DRAFT → IN_REVIEW → PUBLISHED → DEPRECATED → REMOVED, plus SUSPENDED.

Suspension is a detour, not a step: it is possible from any state in which the app is (or is
about to be) in front of users, and `reinstate` returns the app to where it was. Publishing goes
through review, and a published app is deprecated before it is removed so its installers get
notice. Removal is final.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from subgraphs.common.errors import InvalidStateTransition
from subgraphs.common.events import EventType


class AppStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    IN_REVIEW = "IN_REVIEW"
    PUBLISHED = "PUBLISHED"
    DEPRECATED = "DEPRECATED"
    REMOVED = "REMOVED"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class Transition:
    """A lifecycle step: which states it leaves, where it goes, and the event it announces."""

    name: str
    sources: frozenset[AppStatus]
    target: AppStatus
    event: EventType = EventType.APP_STATUS_CHANGED

    def check(self, current: AppStatus) -> None:
        if current not in self.sources:
            allowed = ", ".join(sorted(self.sources))
            raise InvalidStateTransition(
                f"Cannot {self.name} an app that is {current}; it must be one of: {allowed}.",
                status=str(current),
                transition=self.name,
            )


SUBMIT = Transition("submit for review", frozenset({AppStatus.DRAFT}), AppStatus.IN_REVIEW)
PUBLISH = Transition(
    "publish", frozenset({AppStatus.IN_REVIEW}), AppStatus.PUBLISHED, EventType.APP_PUBLISHED
)
DEPRECATE = Transition(
    "deprecate", frozenset({AppStatus.PUBLISHED}), AppStatus.DEPRECATED, EventType.APP_DEPRECATED
)
REMOVE = Transition(
    "remove",
    frozenset({AppStatus.DRAFT, AppStatus.IN_REVIEW, AppStatus.DEPRECATED, AppStatus.SUSPENDED}),
    AppStatus.REMOVED,
)
SUSPEND = Transition(
    "suspend",
    frozenset({AppStatus.IN_REVIEW, AppStatus.PUBLISHED, AppStatus.DEPRECATED}),
    AppStatus.SUSPENDED,
)
# Only the source matters: a reinstated app returns to the status it had before suspension.
REINSTATE = Transition("reinstate", frozenset({AppStatus.SUSPENDED}), AppStatus.SUSPENDED)


def check_editable(current: AppStatus) -> None:
    """Removed apps are kept for the record only: no edits, credentials or webhooks."""
    if current == AppStatus.REMOVED:
        raise InvalidStateTransition(
            "A removed app cannot be changed.", status=str(current), transition="edit"
        )
