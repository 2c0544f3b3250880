from ninja import Schema


class OrganisationRef(Schema):
    slug: str
    name: str


class ProjectOut(Schema):
    slug: str
    title: str
    summary: str
    status: str
    cause: str
    region: str
    region_name: str
    goal: int
    raised: int
    gap: int  # max(goal − raised − granted, 0): what the project still needs (matched money excluded)
    donors: int
    currency: str
    ends_at: str
    organisation: OrganisationRef
    cover_url: str | None


class ProjectListOut(Schema):
    items: list[ProjectOut]
    count: int


class AlternativeOut(Schema):
    """A project a donor could give to instead (the cooler), most similar first."""

    slug: str
    title: str
    gap: int
    currency: str
    ends_at: str
    days_left: int | None
    cause: str
    region: str
    region_name: str
    organisation: OrganisationRef
    url: str


class AlternativeListOut(Schema):
    items: list[AlternativeOut]
    count: int


class BudgetLineOut(Schema):
    title: str
    amount: int
    spent: int


class FundsOut(Schema):
    """The one money model (selectors.ProjectSums), in minor units: raised + matched =
    received; received - spent - fees = balance; balance - held_for_batches = available."""

    raised: int
    matched: int
    granted: int  # granted to the project from a cause fund (counts toward the goal, reported apart)
    granted_out: int  # granted out of it (a cause fund's own project) to other projects
    received: int
    spent: int
    fees: int
    balance: int
    held_for_batches: int
    available: int


class ProjectDetailOut(ProjectOut):
    story: str
    budget_lines: list[BudgetLineOut]
    unit: str
    unit_cost: int | None
    batch_size: int | None  # units per delivery batch (jusha.fulfilment), if the project plans them
    beneficiary_count: int
    shortfall_rule: str
    overflow_rule: str
    published_at: str | None
    days_left: int | None
    accepting_donations: bool
    funds: FundsOut
