from datetime import datetime

from ninja import Schema
from pydantic import Field

from jusha.organisations.selectors import memberships_of


class OrganisationIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    slug: str = Field("", max_length=60)
    legal_name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(max_length=32)
    public_fundraising_qualified: bool = False
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    region_code: str = Field("", max_length=6)
    description: str = Field("", max_length=20_000)


class OrganisationOut(Schema):
    slug: str
    name: str
    legal_name: str
    uscc: str
    public_fundraising_qualified: bool
    description: str
    contact_email: str
    contact_phone: str
    website: str
    region_code: str
    verification: str
    rejection_reason: str = ""
    verified_at: datetime | None


def account_fields(user) -> dict:
    """`GET /api/v1/me`: the caller's organisations, each with their role in it."""
    return {
        "organisations": [
            {"slug": m.organisation.slug, "name": m.organisation.name, "role": m.role} for m in memberships_of(user)
        ],
    }
