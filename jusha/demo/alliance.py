"""The demo's alliance: one fictional partner platform, with its giving days beside ours on
/alliance/ and two of its projects listed (links go to its own .example pages). Written as
the worker's sync would write them; the partner has no feed address, so the worker never
fetches anything for it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.alliance.models import Partner, PartnerEvent, PartnerProject

BASE = "https://yilu.example"


def load() -> int:
    partner = Partner.objects.create(name="益路同行（示例伙伴平台）", base_url=BASE, synced_at=timezone.now())
    now = timezone.localtime()
    year = now.year if now.month < 9 else now.year + 1
    tz = now.tzinfo
    days = [
        ("yilu-99", "九九公益日（伙伴平台）", datetime.datetime(year, 9, 7, tzinfo=tz), 3),
        ("yilu-monthly", "网络月捐日（伙伴平台）", now.replace(hour=0, minute=0, second=0, microsecond=0)
         + datetime.timedelta(days=12), 1),
        ("yilu-winter", "冬日送暖周（伙伴平台）", now.replace(hour=0, minute=0, second=0, microsecond=0)
         + datetime.timedelta(days=30), 7),
    ]
    for uid, title, start, length in days:
        PartnerEvent.objects.create(partner=partner, uid=uid, title=title, url=f"{BASE}/campaigns/{uid}/",
                                    starts_at=start, ends_at=start + datetime.timedelta(days=length))
    for slug, title, summary, goal, raised in (
        ("clean-water-schools", "乡村学校净水计划（示例）", "为山区学校安装净水设备", 3_000_000, 1_260_000),
        ("reading-corners", "留守儿童阅读角（示例）", "每个阅读角 200 本书", 800_000, 512_000),
    ):
        PartnerProject.objects.create(partner=partner, slug=slug, title=title, summary=summary,
                                      url=f"{BASE}/projects/{slug}/", cause="education", goal=goal, raised=raised)
    return len(days)
