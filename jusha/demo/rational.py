"""The demo's rational charity: the platform's own organisation and two cause funds opened a
year ago, a year of monthly pledges charged by the real charge run day by day (with a few
pledges cancelled, paused and declined cards retried), members who give again, and the
funds' grants — so that the retention page and chart say something.

Pledgers are demo extras without a log-in (created in bulk with no password: fast); every
gift goes through the real services (journal, log, receipts)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.funds.services import fund_grant, fund_open
from jusha.giving.services import donation_open
from jusha.payments.sandbox import SandboxProvider
from jusha.pledges.charging import pledges_charge_due
from jusha.pledges.services import pledge_agreement_confirm, pledge_create, pledge_update

PLEDGERS, REPEATERS = 36, 30
AMOUNTS = [1000, 2000, 3000, 5000, 10000]


class Year:
    """The year's story, told in two parts around the rest of the demo: `start` (a year ago
    to 101 days ago, before the organisations' projects exist) and `finish` (the last 100
    days, once they exist: the funds grant to them)."""

    def __init__(self, demo):
        self.demo = demo

    def start(self) -> None:
        self.__dict__.update(_prepare(self.demo))
        self._days(range(365, 100, -1))

    def finish(self) -> dict:
        self._days(range(100, -1, -1))
        return {"funds": len(self.funds), "pledges": len(self.pledges) + 1, "gifts": self.gifts}

    def _days(self, days) -> None:
        for days_ago in days:
            self.gifts += _day(self, days_ago)


def demo_password() -> str:
    from jusha.demo.loader import PASSWORD  # the demo's one log-in password (loader imports this module)

    return PASSWORD


def _prepare(demo) -> dict:
    clock, rng = demo.clock, demo.rng
    clock.set(days=372)
    User = get_user_model()
    # The platform's fund operator: staff, and owner of the platform's own organisation
    # (another staff member verifies it: no one decides on their own organisation).
    operator = User.objects.create_user("funds@demo.jusha", demo_password(), display_name="平台基金运营", is_staff=True,
                                        email_verified_at=clock.now())
    platform = demo.organisation(
        owner=operator, slug="jusha-platform", name="聚沙平台", legal_name="聚沙公益平台（演示）",
        body17="53110000500099990", region="110000", email="funds@jusha.demo",
        description="聚沙平台自己运营的“事业基金”：把捐给某一类事业的钱，按公开规则拨给缺口最大的项目。",
    )
    funds = {cause: fund_open(cause=cause, organisation=platform, actor=operator) for cause in ("elders", "children")}
    people = User.objects.bulk_create([
        User(email=f"monthly{i}@demo.jusha", password="!", display_name=f"月捐人{i + 1}", email_verified_at=clock.now())
        for i in range(PLEDGERS + REPEATERS)
    ])
    pledgers, repeaters = people[:PLEDGERS], people[PLEDGERS:]
    # Who starts when (days ago), and who later stops or pauses.
    starts = sorted(((365 - (i * 330) // PLEDGERS - rng.randint(0, 9), i) for i in range(PLEDGERS)), reverse=True)
    cancels = {i: rng.randint(40, 200) for i in rng.sample(range(PLEDGERS), 7)}
    events: dict[int, list] = {}
    for started, i in starts:
        events.setdefault(started, []).append(("start", i))
    for i, after in cancels.items():
        day = next(s for s, j in starts if j == i) - after
        if day > 0:
            events.setdefault(day, []).append(("cancel", i))
    for n, person in enumerate(repeaters):
        first = rng.randint(20, 360)
        events.setdefault(first, []).append(("gift", n))
        if rng.random() < 0.45:  # about four in ten come back within the year
            again = first - rng.randint(15, 200)
            if again > 0:
                events.setdefault(again, []).append(("gift", n))
    events.setdefault(150, []).append(("donor_pledge", None))
    return {"operator": operator, "funds": funds, "events": events, "pledges": {}, "gifts": 0, "pledgers": pledgers, "repeaters": repeaters}


def _day(year: Year, days_ago: int) -> int:
    demo, clock, rng = year.demo, year.demo.clock, year.demo.rng
    funds, pledges, pledgers, repeaters = year.funds, year.pledges, year.pledgers, year.repeaters
    gifts = 0
    at = clock.set(days=days_ago)
    local = timezone.localtime(at)
    if local.hour < 9:
        clock.at = min(at + datetime.timedelta(hours=9 - local.hour), clock.real_now)  # today: never past now
    for kind, i in year.events.get(days_ago, []):
        if kind == "start":
            person = pledgers[i]
            pledge = pledge_create(donor=person, amount=Money(rng.choice(AMOUNTS)), day=1 + i % 28,
                                   kind="cause", ref="elders" if i % 3 else "children")
            SandboxProvider().agreement_sign(pledge.agreement_id, "active")
            if i % 11 == 5:  # a card that is declined once: the retry (+1 day) goes through
                SandboxProvider().agreement_outcome_set(pledge.agreement_id, "fail")
            pledges[i] = pledge_agreement_confirm(pledge=pledge, today=timezone.localdate())
        elif kind == "cancel" and i in pledges:
            pledge_update(pledge=pledges[i], actor=pledgers[i], status="cancelled")
        elif kind == "gift":
            donation, _token = donation_open(project=funds["children" if i % 2 else "elders"].project,
                                             amount=Money(rng.choice(AMOUNTS)), client=ClientContext(), donor=repeaters[i])
            SandboxProvider().complete(donation.intent_id, "succeeded")
            gifts += 1
        elif kind == "donor_pledge":
            pledge = pledge_create(donor=demo.donor, amount=Money(3000), day=6, kind="cause", ref="children")
            SandboxProvider().agreement_sign(pledge.agreement_id, "active")
            pledge_agreement_confirm(pledge=pledge, today=timezone.localdate())
    counts = pledges_charge_due(today=timezone.localdate())
    gifts += counts.get("succeeded", 0)
    if days_ago in (60, 30, 1):
        for fund in funds.values():
            fund_grant(fund=fund, actor=year.operator)
    return gifts
