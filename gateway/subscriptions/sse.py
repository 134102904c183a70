"""GraphQL over SSE (the graphql-sse protocol, distinct-connections mode), with event ids.

Strawberry's `SSETransport` writes `event: next` / `event: complete` and a `: ping` comment
every 15 s. This one adds `id: <bus id>` to every event that carries one
(`extensions.eventId`), so a browser's `EventSource`, or any client, reconnects with
`Last-Event-ID` and the gateway resumes the subscription right after that event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry.http.streaming import JSONEncoder, SSETransport

if TYPE_CHECKING:
    from strawberry.http import GraphQLHTTPResponse

EVENT_ID = "eventId"
LAST_EVENT_ID = "last-event-id"


def is_sse_id(event_id: object) -> bool:
    """Whether an event id goes on an `id:` line: bus ids are digits (and never a line
    break, which would end the field)."""
    return isinstance(event_id, str) and event_id.isascii() and event_id.isdigit()


class ResumableSSETransport(SSETransport):
    def encode_next(self, response: GraphQLHTTPResponse, encode_json: JSONEncoder) -> str:
        event = super().encode_next(response, encode_json)
        event_id = (response.get("extensions") or {}).get(EVENT_ID)
        if not is_sse_id(event_id):
            return event
        return f"id: {event_id}\r\n{event}"
