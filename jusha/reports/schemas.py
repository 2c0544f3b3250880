from datetime import datetime
from typing import Literal

from ninja import Field, Schema

Reason = Literal["fraud", "misuse", "false_information", "spam", "abuse", "other"]


class ReportIn(Schema):
    project: str | None = Field(None, max_length=80, description="The slug of the project reported")
    organisation: str | None = Field(None, max_length=80, description="The slug of the organisation reported")
    kind: str | None = Field(
        None, max_length=30,
        description="Members' content: `team` (key: its slug), `team_update`, `circle_post` or `comment` (key: its id)",
    )
    key: str | None = Field(None, max_length=80, description="With `kind`: the reported content's slug or id")
    reason: Reason
    details: str = Field("", max_length=4000, description="What is wrong (the organisation reads it, never who wrote it)")
    contact: str = Field("", max_length=200, description="A guest's contact, for staff only")


class ReportCreatedOut(Schema):
    id: int
    status: str


class OrganisationReportOut(Schema):
    """A report as the reported organisation sees it: no reporter, contact or evidence."""

    id: int
    kind: str
    target: str
    reason: str
    details: str
    status: str
    created_at: datetime
    answer: str
    answered_at: datetime | None
    outcome: str
    decided_at: datetime | None


class ReportListOut(Schema):
    items: list[OrganisationReportOut]
    count: int


class AnswerIn(Schema):
    answer: str = Field(..., min_length=1, max_length=4000)


class StaffReportOut(OrganisationReportOut):
    reporter: str | None = Field(None, description="The reporting member's e-mail (staff only); null for a guest")
    reporter_contact: str
    evidence: int
