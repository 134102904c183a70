"""What a listing owner may change, and the checks the change must pass.

`validate_listing_update` turns an `UpdateListingInput` into column values, or raises
BAD_USER_INPUT naming the offending input field; checks that need the database (do the
categories exist?) stay in the mutation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import strawberry

from subgraphs.common.errors import BadUserInput
from subgraphs.marketplace.types import PricingModel

MAX_TAGLINE = 120
MAX_DESCRIPTION = 5000
MAX_CATEGORIES = 3
MAX_SCREENSHOTS = 8
MAX_CAPTION = 200
MAX_MONTHLY_PRICE_CENTS = 1_000_000


@strawberry.input
class PricingInput:
    model: PricingModel
    monthly_price_cents: int = 0


@strawberry.input
class ScreenshotInput:
    url: str
    caption: str = ""


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateListingInput:
    tagline: str | None = None
    description: str | None = None
    categories: list[str] | None = strawberry.field(
        default=None, description="Category slugs, primary first; replaces the current ones."
    )
    pricing: PricingInput | None = None
    screenshots: list[ScreenshotInput] | None = strawberry.field(
        default=None, description="Replaces the current screenshots; URLs must be https."
    )


def validate_listing_update(update: UpdateListingInput) -> dict[str, Any]:
    """The listing columns `update` sets (plus `categories`, a list of slugs)."""
    changes: dict[str, Any] = {}
    if update.tagline is not None:
        tagline = update.tagline.strip()
        if not tagline or len(tagline) > MAX_TAGLINE:
            raise _invalid("tagline", f"must be 1 to {MAX_TAGLINE} characters")
        changes["tagline"] = tagline
    if update.description is not None:
        if len(update.description) > MAX_DESCRIPTION:
            raise _invalid("description", f"must be at most {MAX_DESCRIPTION} characters")
        changes["description"] = update.description.strip()
    if update.categories is not None:
        slugs = list(dict.fromkeys(update.categories))
        if not 1 <= len(slugs) <= MAX_CATEGORIES:
            raise _invalid("categories", f"must name 1 to {MAX_CATEGORIES} categories")
        changes["categories"] = slugs
    if update.pricing is not None:
        changes.update(_pricing(update.pricing))
    if update.screenshots is not None:
        changes["screenshots"] = _screenshots(update.screenshots)
    return changes


def _pricing(pricing: PricingInput) -> dict[str, Any]:
    cents = pricing.monthly_price_cents
    if not 0 <= cents <= MAX_MONTHLY_PRICE_CENTS:
        raise _invalid("pricing.monthlyPriceCents", f"must be 0 to {MAX_MONTHLY_PRICE_CENTS}")
    if pricing.model is PricingModel.FREE and cents != 0:
        raise _invalid("pricing.monthlyPriceCents", "must be 0 for a FREE app")
    if pricing.model is PricingModel.PAID and cents == 0:
        raise _invalid("pricing.monthlyPriceCents", "must be positive for a PAID app")
    return {"pricing_model": pricing.model.value, "monthly_price_cents": cents}


def _screenshots(screenshots: list[ScreenshotInput]) -> list[dict[str, str]]:
    if len(screenshots) > MAX_SCREENSHOTS:
        raise _invalid("screenshots", f"must hold at most {MAX_SCREENSHOTS} screenshots")
    for index, screenshot in enumerate(screenshots):
        url = urlsplit(screenshot.url.strip())
        if url.scheme != "https" or not url.hostname:
            raise _invalid(f"screenshots[{index}].url", "must be an https URL")
        if len(screenshot.caption) > MAX_CAPTION:
            raise _invalid(
                f"screenshots[{index}].caption", f"must be at most {MAX_CAPTION} characters"
            )
    return [{"url": s.url.strip(), "caption": s.caption.strip()} for s in screenshots]


def _invalid(field: str, problem: str) -> BadUserInput:
    return BadUserInput(f"`input.{field}` {problem}.", argument=f"input.{field}")
