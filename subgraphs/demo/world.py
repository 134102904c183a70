"""The demo platform, generated deterministically so tests and screenshots are stable.

Each subgraph seeds its own part of one shared world: apps (apps subgraph), workspaces and
installations (installs), listings, categories and reviews (marketplace), usage (metrics, which
derives 30 days of traffic from the installations). Ids are stable across runs and machines.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

# The demo's "now": usage covers the 30 days before it; fixed so the data never drifts.
DEMO_NOW = datetime(2026, 11, 20, tzinfo=UTC)
USAGE_DAYS = 30

ALL_SCOPES = (
    "apps:read",
    "apps:write",
    "installs:read",
    "installs:write",
    "marketplace:write",
    "metrics:read",
    "events:subscribe",
)

CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("communication", "Communication", "Chat, email and notifications where your team already is."),
    ("developer-tools", "Developer Tools", "CI, code review, deploys and incident response."),
    ("project-management", "Project Management", "Plans, boards, sprints and roadmaps."),
    ("analytics", "Analytics", "Dashboards, product analytics and reporting."),
    ("customer-support", "Customer Support", "Help desks, live chat and customer feedback."),
    ("sales", "Sales & CRM", "Pipelines, leads and deal tracking."),
    ("marketing", "Marketing", "Campaigns, newsletters and social scheduling."),
    ("finance", "Finance", "Invoicing, expenses, payroll and accounting."),
    ("security", "Security & Compliance", "Access reviews, audit logs and secret scanning."),
    ("hr", "People & HR", "Onboarding, time off and recognition."),
    ("design", "Design", "Mockups, assets and design handoff."),
    ("productivity", "Productivity", "Calendars, notes, forms and automation."),
)

# name, primary category, secondary categories, tagline
APP_CATALOG: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (
        "Standup Bot",
        "communication",
        ("productivity",),
        "Async standups in the channel your team reads.",
    ),
    (
        "Deploy Herald",
        "developer-tools",
        ("communication",),
        "Every deploy announced, every rollback explained.",
    ),
    ("Pager Relay", "developer-tools", ("security",), "Route incidents to whoever is on call."),
    (
        "Sprint Board Sync",
        "project-management",
        ("developer-tools",),
        "Two-way sync between issues and sprint boards.",
    ),
    (
        "Roadmap Radar",
        "project-management",
        (),
        "Roadmaps that update themselves from your tickets.",
    ),
    ("Metric Lens", "analytics", ("productivity",), "Share live dashboards as unfurled cards."),
    ("Funnel Scope", "analytics", ("marketing",), "Conversion funnels without writing SQL."),
    (
        "Helpdesk Bridge",
        "customer-support",
        ("communication",),
        "Turn customer tickets into threads.",
    ),
    (
        "Feedback Loop",
        "customer-support",
        ("project-management",),
        "Collect, tag and route product feedback.",
    ),
    ("Deal Desk", "sales", ("finance",), "Approve discounts and contracts in minutes."),
    ("Lead Ledger", "sales", ("marketing",), "Enrich and assign inbound leads automatically."),
    ("Campaign Pulse", "marketing", ("analytics",), "Campaign results, posted daily."),
    ("Newsletter Forge", "marketing", (), "Write, schedule and measure newsletters."),
    ("Invoice Sync", "finance", ("sales",), "Invoices and payments in step with your ledger."),
    ("Expense Snap", "finance", ("productivity",), "Photograph a receipt, file an expense."),
    ("Payroll Pilot", "finance", ("hr",), "Payroll runs with approvals and audit trails."),
    ("Access Review", "security", ("hr",), "Quarterly access reviews without spreadsheets."),
    ("Audit Trail", "security", ("developer-tools",), "Tamper-evident logs of every admin action."),
    (
        "Secret Sentinel",
        "security",
        ("developer-tools",),
        "Catch leaked credentials before attackers do.",
    ),
    ("Onboard Buddy", "hr", ("productivity",), "Checklists that welcome new hires."),
    ("Time Off Tracker", "hr", ("communication",), "Request and approve leave in chat."),
    ("Kudos Wall", "hr", ("communication",), "Public thanks, private stats."),
    (
        "Mockup Share",
        "design",
        ("project-management",),
        "Preview designs without leaving the thread.",
    ),
    ("Asset Vault", "design", (), "One library for logos, icons and brand assets."),
    (
        "Calendar Concierge",
        "productivity",
        ("communication",),
        "Find a meeting time in one message.",
    ),
    ("Note Weaver", "productivity", ("project-management",), "Meeting notes that become tasks."),
    ("Form Builder", "productivity", ("customer-support",), "Forms and surveys answered in chat."),
    (
        "Flow Automator",
        "productivity",
        ("developer-tools",),
        "If-this-then-that for your workspace.",
    ),
    (
        "Code Review Nudge",
        "developer-tools",
        ("communication",),
        "Remind reviewers before PRs go stale.",
    ),
    ("Build Watch", "developer-tools", (), "CI status and flaky test tracking."),
    (
        "Status Page Link",
        "developer-tools",
        ("customer-support",),
        "Publish incidents to your status page.",
    ),
    ("Poll Party", "communication", ("hr",), "Quick polls with anonymous voting."),
    ("Translate Inline", "communication", ("customer-support",), "Translate any message in place."),
    ("Email Digest", "communication", ("productivity",), "A daily digest of what you missed."),
    ("Churn Alert", "analytics", ("sales",), "Spot at-risk accounts from product usage."),
    ("Revenue Board", "analytics", ("finance",), "MRR, churn and expansion at a glance."),
    ("Quote Maker", "sales", ("finance",), "Branded quotes from your CRM data."),
    ("Social Scheduler", "marketing", ("productivity",), "Plan a month of posts in an afternoon."),
    ("SEO Watch", "marketing", ("analytics",), "Rank changes and broken links, weekly."),
    ("Contract Vault", "finance", ("security",), "Contracts, renewals and e-signatures."),
    ("Vendor Check", "security", ("finance",), "Security questionnaires for every vendor."),
    ("Shift Planner", "hr", ("productivity",), "Rotas and shift swaps for distributed teams."),
    ("Whiteboard Live", "design", ("productivity",), "A shared whiteboard for every call."),
    ("Icon Forge", "design", ("developer-tools",), "Design tokens exported to code."),
    ("Support Macros", "customer-support", ("productivity",), "Canned replies with live data."),
    ("CSAT Survey", "customer-support", ("analytics",), "Satisfaction surveys after every ticket."),
    ("Release Notes", "project-management", ("marketing",), "Changelogs written from merged work."),
    (
        "OKR Tracker",
        "project-management",
        ("analytics",),
        "Objectives and key results, checked in weekly.",
    ),
)

ORGANIZATION_NAMES = (
    "Northwind Labs",
    "Acme Software",
    "Bluebird Systems",
    "Cobalt Works",
    "Driftwood Apps",
    "Evergreen Tools",
    "Foxglove Digital",
    "Granite Cloud",
    "Harbor Data",
    "Ironbark Studio",
    "Juniper Logic",
    "Kestrel Labs",
    "Lumen Forge",
    "Marble Stack",
    "Nimbus Works",
)

WORKSPACE_NAMES = (
    "Atlas Robotics",
    "Beacon Health",
    "Copperline Media",
    "Delta Freight",
    "Ember Games",
    "Fathom Research",
    "Gale Energy",
    "Helix Bio",
    "Indigo Retail",
    "Jetstream Travel",
    "Keystone Legal",
    "Lattice Finance",
    "Meridian Foods",
    "Nova Education",
    "Orbit Telecom",
    "Pinnacle Realty",
    "Quartz Insurance",
    "Redwood Studios",
    "Summit Outdoor",
    "Tidal Logistics",
    "Umbra Security",
    "Vertex Manufacturing",
    "Willow Nonprofit",
    "Xylo Music",
    "Yonder Maps",
    "Zephyr Aviation",
    "Alder Consulting",
    "Birch Hospitality",
    "Cedar Architecture",
    "Dune Mobility",
)

REVIEW_PHRASES = {
    5: (
        "Indispensable for our team.",
        "Set up in five minutes and it just works.",
        "Support answered within the hour.",
        "We cannot imagine working without it.",
    ),
    4: (
        "Very useful, a few rough edges.",
        "Does what it says; the settings page is dense.",
        "Great value for the price.",
        "Solid, and improving every month.",
    ),
    3: (
        "Useful but noisy by default.",
        "Works, though the docs lag behind.",
        "Fine for small teams.",
        "Decent; we wanted more filters.",
    ),
    2: (
        "Missed events twice this month.",
        "Too many permissions for what it does.",
        "Setup was confusing.",
    ),
    1: ("Stopped working after an update.", "Could not get it to connect at all."),
}


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    slug: str


@dataclass(frozen=True)
class App:
    id: str
    slug: str
    name: str
    tagline: str
    description: str
    organization_id: str
    homepage: str
    redirect_uris: tuple[str, ...]
    requested_scopes: tuple[str, ...]
    webhook_url: str | None
    webhook_secret: str
    client_id: str
    status: str
    created_at: datetime
    category_slugs: tuple[str, ...]
    pricing: str
    monthly_price_cents: int
    featured: bool
    certification: str


@dataclass(frozen=True)
class Workspace:
    id: str
    slug: str
    name: str
    plan: str
    created_at: datetime


@dataclass(frozen=True)
class Installation:
    id: str
    app_id: str
    workspace_id: str
    granted_scopes: tuple[str, ...]
    status: str
    installed_by: str
    installed_at: datetime


@dataclass(frozen=True)
class Review:
    id: str
    app_id: str
    workspace_id: str
    rating: int
    body: str
    created_at: datetime


@dataclass(frozen=True)
class World:
    organizations: tuple[Organization, ...]
    apps: tuple[App, ...]
    workspaces: tuple[Workspace, ...]
    installations: tuple[Installation, ...]
    reviews: tuple[Review, ...]

    def app(self, slug: str) -> App:
        return next(app for app in self.apps if app.slug == slug)


def slugify(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).replace("--", "-").strip("-")


def demo_webhook_secret(seed: int) -> str:
    """A Standard Webhooks secret (`whsec_` + base64 of 24 key bytes) derived from `seed`, so the
    world's random stream, and every id drawn after it, stays as it was."""
    key = hashlib.sha256(seed.to_bytes(16, "big")).digest()[:24]
    return "whsec_" + base64.b64encode(key).decode()


def _id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}_{rng.getrandbits(48):012x}"


@cache
def world() -> World:
    """The demo world; the same objects on every call and every machine."""
    rng = random.Random(20261120)
    start = DEMO_NOW - timedelta(days=400)

    organizations = tuple(
        Organization(id=_id(rng, "org"), name=name, slug=slugify(name))
        for name in ORGANIZATION_NAMES
    )

    statuses = ["PUBLISHED"] * 38 + ["DRAFT"] * 3 + ["IN_REVIEW"] * 3 + ["DEPRECATED"] * 2
    statuses += ["SUSPENDED", "REMOVED"]
    rng.shuffle(statuses)
    apps = []
    for index, (name, category, secondary, tagline) in enumerate(APP_CATALOG):
        slug = slugify(name)
        organization = organizations[index % len(organizations)]
        scopes = tuple(sorted(rng.sample(ALL_SCOPES, rng.randint(2, 4))))
        pricing = rng.choice(("FREE", "FREE", "FREEMIUM", "PAID", "PAID"))
        apps.append(
            App(
                id=_id(rng, "app"),
                slug=slug,
                name=name,
                tagline=tagline,
                description=f"{name} by {organization.name}. {tagline}",
                organization_id=organization.id,
                homepage=f"https://{slug}.example.com",
                redirect_uris=(f"https://{slug}.example.com/oauth/callback",),
                requested_scopes=scopes,
                webhook_url=f"https://{slug}.example.com/webhooks/switchboard",
                webhook_secret=demo_webhook_secret(rng.getrandbits(128)),
                client_id=f"client_{rng.getrandbits(64):016x}",
                status=statuses[index],
                created_at=start
                + timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1439)),
                category_slugs=(category, *secondary),
                pricing=pricing,
                monthly_price_cents=0
                if pricing == "FREE"
                else rng.choice((400, 800, 1200, 2900, 4900)),
                featured=index % 8 == 0,
                certification=rng.choice(("CERTIFIED", "CERTIFIED", "PENDING", "NONE")),
            )
        )

    workspaces = tuple(
        Workspace(
            id=_id(rng, "ws"),
            slug=slugify(name),
            name=name,
            plan=rng.choice(("FREE", "TEAM", "TEAM", "BUSINESS", "ENTERPRISE")),
            created_at=start + timedelta(days=rng.randint(0, 150)),
        )
        for name in WORKSPACE_NAMES
    )

    installable = [app for app in apps if app.status in ("PUBLISHED", "DEPRECATED", "SUSPENDED")]
    installations = []
    for workspace in workspaces:
        for app in sorted(rng.sample(installable, rng.randint(8, 16)), key=lambda a: a.slug):
            granted = (
                tuple(s for s in app.requested_scopes if rng.random() < 0.9)
                or app.requested_scopes[:1]
            )
            earliest = max(app.created_at, workspace.created_at) + timedelta(days=1)
            installations.append(
                Installation(
                    id=_id(rng, "inst"),
                    app_id=app.id,
                    workspace_id=workspace.id,
                    granted_scopes=granted,
                    status=rng.choices(("ACTIVE", "SUSPENDED", "REMOVED"), (90, 3, 7))[0],
                    installed_by=f"user_{rng.getrandbits(32):08x}",
                    installed_at=earliest
                    + timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 1439)),
                )
            )

    reviews = []
    for installation in installations:
        if rng.random() < 0.93:
            rating = rng.choices((5, 4, 3, 2, 1), (45, 30, 13, 7, 5))[0]
            reviews.append(
                Review(
                    id=_id(rng, "rev"),
                    app_id=installation.app_id,
                    workspace_id=installation.workspace_id,
                    rating=rating,
                    body=rng.choice(REVIEW_PHRASES[rating]),
                    created_at=installation.installed_at + timedelta(days=rng.randint(1, 60)),
                )
            )

    return World(
        organizations=organizations,
        apps=tuple(apps),
        workspaces=workspaces,
        installations=tuple(installations),
        reviews=tuple(reviews),
    )
