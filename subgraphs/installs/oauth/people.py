"""People: who is signed in, what they administer, and the demo world's users.

The demo users (README, docs/design/identity.md) all have the password `DEMO_PASSWORD`:

| email | who |
|---|---|
| `ada@example.com` | admin of the first two demo workspaces, member of the third |
| `ben@example.com` | member of the first demo workspace |
| `dana@example.com` | developer at the fourth organization (it has drafts), admin of a workspace |
| `ana@example.com` | platform analyst (`metrics:read platform:admin`) |
| `rex@example.com` | platform app reviewer (`apps:read apps:write platform:admin`) |
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from subgraphs.demo.world import DEMO_NOW, World
from subgraphs.installs.models import UserRow, WorkspaceMemberRow, WorkspaceRow
from subgraphs.installs.oauth.passwords import hash_password

DEMO_PASSWORD = "switchboard-demo"


@dataclass(frozen=True)
class DemoPerson:
    id: str
    email: str
    name: str
    organization: int | None  # index into the world's organizations
    staff_roles: tuple[str, ...]
    workspaces: tuple[tuple[int, str], ...]  # (index into the world's workspaces, role)


DEMO_PEOPLE = (
    DemoPerson(
        "user_ada",
        "ada@example.com",
        "Ada Admin",
        None,
        (),
        ((0, "admin"), (1, "admin"), (2, "member")),
    ),
    DemoPerson("user_ben", "ben@example.com", "Ben Member", None, (), ((0, "member"),)),
    DemoPerson("user_dana", "dana@example.com", "Dana Developer", 3, (), ((3, "admin"),)),
    DemoPerson("user_ana", "ana@example.com", "Ana Analyst", None, ("analyst",), ()),
    DemoPerson("user_rex", "rex@example.com", "Rex Reviewer", None, ("reviewer",), ()),
)


@cache
def _demo_hash() -> str:
    # One hash for the one documented password: seeding stays fast in every test database.
    return hash_password(DEMO_PASSWORD)


def demo_rows(world: World) -> tuple[list[UserRow], list[WorkspaceMemberRow]]:
    users, members = [], []
    for person in DEMO_PEOPLE:
        organization = (
            world.organizations[person.organization].id if person.organization is not None else None
        )
        users.append(
            UserRow(
                id=person.id,
                email=person.email,
                name=person.name,
                password_hash=_demo_hash(),
                organization_id=organization,
                staff_roles=list(person.staff_roles),
                created_at=DEMO_NOW,
            )
        )
        members.extend(
            WorkspaceMemberRow(
                user_id=person.id, workspace_id=world.workspaces[index].id, role=role
            )
            for index, role in person.workspaces
        )
    return users, members


async def user_by_email(session: AsyncSession, email: str) -> UserRow | None:
    statement = select(UserRow).where(UserRow.email == email.strip().lower())
    return (await session.exec(statement)).first()


async def administered_workspaces(session: AsyncSession, user_id: str) -> list[WorkspaceRow]:
    """The workspaces where `user_id` is an admin, by name."""
    statement = (
        select(WorkspaceRow)
        .join(WorkspaceMemberRow, col(WorkspaceMemberRow.workspace_id) == col(WorkspaceRow.id))
        .where(WorkspaceMemberRow.user_id == user_id, WorkspaceMemberRow.role == "admin")
        .order_by(col(WorkspaceRow.name))
    )
    return list((await session.exec(statement)).all())
