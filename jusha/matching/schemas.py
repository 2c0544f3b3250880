from datetime import datetime

from django.utils import timezone
from ninja import Field, Schema
from pydantic import StrictInt

from jusha.core.money import Money, money_in, money_or_none

DRAW = (
    "bp = min_bp + int.from_bytes(HMAC-SHA256(key=bytes.fromhex(seed), msg=donation_id), 'big')"
    " % (max_bp - min_bp + 1)"
)


class RatioIn(Schema):
    min_bp: StrictInt = Field(..., description="Lowest ratio in basis points: 10000 = 1:1")
    max_bp: StrictInt = Field(..., description="Highest ratio; equal to min_bp for a fixed ratio")


class PoolIn(Schema):
    sponsor: str = Field(..., description="The sponsor organisation's slug")
    campaign: str | None = Field(None, description="A campaign's slug: matches its accepted projects in its window")
    name: str = Field(..., max_length=200)
    currency: str = "CNY"
    budget: StrictInt
    ratio: RatioIn
    min_gift: StrictInt = 1
    gift_cap: StrictInt | None = None
    donor_daily_cap: StrictInt | None = None
    project_cap: StrictInt | None = None
    causes: list[str] = Field(default_factory=list, max_length=20)
    projects: list[str] = Field(default_factory=list, max_length=500)
    tranches: list[StrictInt] = Field(default_factory=list, max_length=366)
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def rules(self) -> dict:
        """The pool's name, window and rules for `services.pool_create`, amounts as Money
        in the pool's currency (an unsupported currency: 422 invalid_currency)."""
        c = self.currency
        return {
            "name": self.name, "budget": money_in(self.budget, c), "min_bp": self.ratio.min_bp,
            "max_bp": self.ratio.max_bp, "min_gift": money_in(self.min_gift, c),
            "gift_cap": money_or_none(self.gift_cap, c), "donor_daily_cap": money_or_none(self.donor_daily_cap, c),
            "project_cap": money_or_none(self.project_cap, c), "causes": self.causes,
            "tranches": [money_in(t, c) for t in self.tranches], "starts_at": self.starts_at, "ends_at": self.ends_at,
        }


class DepositIn(Schema):
    amount: StrictInt = Field(..., description="Minor units received from the sponsor")
    reference: str = Field(..., max_length=200)

    def amount_in(self, currency: str) -> Money:
        return money_in(self.amount, currency)


class DecisionIn(Schema):
    note: str = Field("", max_length=2000)


def _time(value):
    return timezone.localtime(value).isoformat() if value else None


def pool_out(pool) -> dict:
    """A pool's rules and figures: everything needed to check its matches afterwards.
    The pool as selectors.pool_for_answer reads it (no queries here)."""
    return {
        "id": pool.pk,
        "name": pool.name,
        "sponsor": {"slug": pool.sponsor.slug, "name": pool.sponsor.name},
        "campaign": pool.campaign.slug if pool.campaign_id else None,
        "status": pool.status,
        "currency": pool.currency,
        **pool.figures,
        "seed_hash": pool.seed_hash,
        "seed": pool.seed if pool.seed_revealed else None,
        "starts_at": _time(pool.starts_at),
        "ends_at": _time(pool.ends_at),
        "activated_at": _time(pool.activated_at),
        "rules": {
            "ratio": {
                "kind": "fixed" if pool.min_bp == pool.max_bp else "random", "min_bp": pool.min_bp, "max_bp": pool.max_bp,
            },
            "draw": DRAW,
            "match": "min(floor(gift * bp / 10000), gift_cap, project_cap - project's matches, "
            "donor_daily_cap - donor's matches that day, released - committed); 0 below min_gift",
            "min_gift": pool.min_gift,
            "gift_cap": pool.gift_cap,
            "donor_daily_cap": pool.donor_daily_cap,
            "project_cap": pool.project_cap,
            "causes": pool.causes,
            "projects": sorted(p.slug for p in pool.projects.all()),
            "tranches": pool.tranches,
            "day": "Asia/Shanghai",
        },
    }


def match_out(match) -> dict:
    return {
        "donation": str(match.donation_id),
        "project": match.project.slug,
        "gift": match.donation.amount,
        "paid_at": _time(match.donation.paid_at),
        "ratio_bp": match.ratio_bp,
        "amount": match.amount,
        "returned": match.returned,
        "status": match.status,
    }


def deposit_out(deposit) -> dict:
    return {
        "id": deposit.pk,
        "pool": deposit.pool_id,
        "amount": deposit.amount,
        "reference": deposit.reference,
        "created_at": _time(deposit.created_at),
    }
