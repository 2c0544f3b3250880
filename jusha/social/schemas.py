from typing import Literal

from django.urls import reverse
from ninja import Field, Schema

from jusha.social import rules

# A figure resting on fewer than three gifts: the string "<3" instead of the number.
Figure = int | Literal["<3"]


class ShareLinkOut(Schema):
    code: str
    url: str = Field(..., description="The short link to pass on")
    poster_url: str = Field(..., description="SVG poster: cover, title, progress and the link's QR code")


class ShareLinkFiguresOut(Schema):
    code: str
    opens: int = Field(..., description="Visitor-days: a visitor counts once a day; bots and the sharer do not")
    donations: int = Field(..., description="Paid gifts made through this link")
    amount: int | None = Field(
        ..., description="Minor units; null (hidden) below 3 gifts if any was anonymous, or when the downstream "
        "amount minus it would give back fewer than 3 gifts of which one was anonymous"
    )
    downstream_donations: int = Field(..., description="Paid gifts through this link and every link passed on below it")
    downstream_amount: int | None = Field(
        ..., description="Minor units; null (hidden) below 3 gifts if any was anonymous"
    )
    depth: int = Field(..., description="Generation in the relay: 1 for a link nobody passed on to its sharer")
    currency: str


class ReportIn(Schema):
    reason: str = Field(..., max_length=500)


class DepthOut(Schema):
    depth: int
    links: int
    opens: int
    donations: Figure | None = Field(
        ..., description='Paid gifts in this generation: "<3" for fewer than 3; null when hidden because the '
        "relay's totals minus the other generations would otherwise give back a generation of fewer than 3 gifts"
    )
    amount: int | None = Field(..., description="Minor units; null when the count is not a number")


class BranchingOut(Schema):
    links_with_children: int
    mean_children: float
    max_children: int


class RelayOut(Schema):
    project: str
    currency: str
    links: int
    sharers: int
    lit: int = Field(..., description="Links whose sharers lit the relay (点亮爱心接力) after giving")
    opens: int
    donations: Figure = Field(..., description='Paid gifts through share links ("<3": fewer than 3)')
    amount: int | None = Field(..., description="Minor units; null when fewer than 3 gifts")
    donors: Figure
    k: float | None = Field(..., description="Viral coefficient: new donors through links per sharer; null below 3")
    conversion_rate: float | None = Field(..., description="Gifts through links per counted open; null below 3 gifts")
    max_depth: int
    branching: BranchingOut
    depths: list[DepthOut]


def link_out(link, request) -> dict:
    return {
        "code": link.code,
        "url": request.build_absolute_uri(reverse("social:open", args=[link.code])),
        "poster_url": request.build_absolute_uri(reverse("social:poster_svg", args=[link.code])),
    }


def figures_out(link, figures) -> dict:
    """A link's figures for its owner (rules.owner_figures: no amount given back by subtraction)."""
    amount, downstream_amount = rules.owner_figures(
        rules.Cell(figures.donations, figures.amount, figures.anonymous),
        rules.Cell(figures.downstream_donations, figures.downstream_amount, figures.downstream_anonymous),
    )
    return {
        "code": link.code,
        "opens": figures.opens,
        "donations": figures.donations,
        "amount": amount,
        "downstream_donations": figures.downstream_donations,
        "downstream_amount": downstream_amount,
        "depth": link.depth,
        "currency": link.project.currency,
    }
