from ninja import Schema
from pydantic import Field


class CredentialsIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)


class TokenOut(Schema):
    token: str


class MembershipOut(Schema):
    slug: str
    name: str
    role: str


class MeOut(Schema):
    email: str
    display_name: str
    organisations: list[MembershipOut]
