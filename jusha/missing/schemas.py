from __future__ import annotations

from datetime import datetime

from ninja import Schema


class NoticeCaseOut(Schema):
    id: int
    name: str
    age: int
    sex: str
    lost_at: datetime
    region: str
    photo: str | None
    url: str


class NoticeOut(Schema):
    lang: str = "zh-hans"
    cases: list[NoticeCaseOut]


class SightingIn(Schema):
    place: str
    seen_at: datetime
    description: str
    contact: str = ""
    site: str = ""
    website: str = ""  # the honeypot: people leave it empty
    elapsed_ms: int | None = None  # time from showing the form to sending it


class SightingOut(Schema):
    id: int
    status: str
