from datetime import datetime

from ninja import Field, Schema


class IndicatorOut(Schema):
    key: str
    value: float | None = Field(..., description="In the indicator's unit (see `unit`); null when it has no data yet")
    unit: str
    score: float | None = Field(..., description="0 to 100; null when not applicable (its weight is shared)")
    weight: int
    explanation: str


class HistoryOut(Schema):
    day: str
    score: float | None
    grade: str | None


class RatingOut(Schema):
    score: float | None = None
    grade: str | None = Field(..., description="A+, A, B+, B or C; null with reason not_enough_history")
    reason: str | None = Field(None, description="not_enough_history, or not_computed_yet")
    indicators: list[IndicatorOut] = []
    computed_at: datetime | None = None
    history: list[HistoryOut] = []
    method_url: str = ""
