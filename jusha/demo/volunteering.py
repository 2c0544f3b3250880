"""The demo's volunteering (jusha.volunteering), through its services on the demo's clock:
last year's and last week's visits to a nursing home (checked in by code, checked out,
confirmed by the organiser, so their hours are facts in the public log), a shift today whose
check-in code the editor can show, shifts later this week with a waitlist, an online
translation task with hours waiting for confirmation, and a volunteer group whose proposal
the organisation hosts. `volunteer@demo.jusha` has hours, a certificate that verifies, and
a place on this week's shifts."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.volunteering import groups, hours, services
from jusha.volunteering.models import CheckIn

NAMES = ["小周", "阿梅", "老李", "陈同学", "Lily", "王阿姨", "大刘", "小雪", "阿福", "晓晓", "安安", "小马"]


def _shift(activity):
    return activity.shifts.order_by("starts_at").first()


def _visit(demo, activity, people, *, days_ago: float, organiser):
    """A shift `days_ago` that everyone in `people` came to: signed up the week before,
    checked in by code (some late), checked out, confirmed by the organiser."""
    clock = demo.clock
    shift = _shift(activity)
    clock.set(days=days_ago + 7)
    for person in people:
        services.signup_create(shift=shift, volunteer=person)
    start = shift.starts_at
    for i, person in enumerate(people):
        clock.at = start - datetime.timedelta(minutes=20) + datetime.timedelta(minutes=7 * i)
        services.checkin_scan(token=services.shift_token(shift, "in"), volunteer=person)
    for i, person in enumerate(people):
        clock.at = shift.ends_at + datetime.timedelta(minutes=3 * i) - datetime.timedelta(minutes=25 if i % 4 == 3 else 0)
        _checkin, record = services.checkin_scan(token=services.shift_token(shift, "out"), volunteer=person)
        clock.at += datetime.timedelta(hours=2)
        hours.hours_confirm(record=record, actor=organiser)


def load(demo, *, volunteer) -> str:
    clock, org, organiser = demo.clock, demo.org_elders, demo.editor
    clock.set(days=400)
    people = [volunteer] + [demo_user(demo, i) for i in range(1, len(NAMES))]
    for i, person in enumerate(people):
        services.profile_save(user=person, actor=person, birth_year=1975 + i * 3, region_code="110105",
                              skills=["陪伴老人", "摄影"] if i % 3 == 0 else ["翻译"] if i % 3 == 1 else ["驾驶"],
                              languages=["中文", "English"] if i % 2 else ["中文"], availability="周末",
                              emergency_contact="家人 138****0000")

    def visit(title, days_ago, who, capacity=12):
        clock.set(days=days_ago + 10)
        start = timezone.localtime(clock.real_now - datetime.timedelta(days=days_ago)).replace(
            hour=9, minute=30, second=0, microsecond=0)
        activity = services.activity_create(
            organisation=org, actor=organiser, title=title, cause="elders", region_code="110105",
            place="朝阳区幸福里敬老院（东门集合）", skills_wanted=["陪伴老人"], minimum_age=14,
            description="陪老人聊天、读报、下棋，帮护工整理活动室。", safety_briefing="请勿擅自喂老人食物；搬动老人须由护工在场。",
            shifts=[(start, start + datetime.timedelta(hours=3), capacity)])
        _visit(demo, activity, who, days_ago=days_ago, organiser=organiser)
        return activity

    visit("重阳节敬老院陪伴", 380, people[:6])  # last year: retention has a year to compare with
    last_week = visit("周末敬老院陪伴", 6, people[:9])

    # A group of the regulars, who propose a monthly visit that the organisation hosts.
    clock.set(days=20)
    group = groups.group_create(name="周末敬老院小组", actor=volunteer, region_code="110105",
                                description="每个周末一起去敬老院陪老人聊天、下棋。欢迎加入！")
    for person in people[1:6]:
        groups.group_join(group=group, actor=person)
    proposal = groups.group_propose(group=group, organisation=org, actor=volunteer, title="每周六上午敬老院探访",
                                    note="小组每周六上午 9 点到 12 点可以去，5 到 8 人。")
    clock.set(days=0)
    saturday = timezone.localtime(clock.real_now).replace(hour=9, minute=0, second=0, microsecond=0)
    saturday += datetime.timedelta(days=(5 - saturday.weekday()) % 7 or 7)
    hosted = groups.proposal_decide(
        proposal=proposal, actor=organiser, accept=True, cause="elders", region_code="110105",
        place="朝阳区幸福里敬老院", recurrence="weekly", repeat=4, minimum_age=14,
        shifts=[(saturday, saturday + datetime.timedelta(hours=3), 8)],
        safety_briefing="请勿擅自喂老人食物。").activity
    first = _shift(hosted)
    for person in people[:8]:
        services.signup_create(shift=first, volunteer=person)
    for person in people[8:11]:
        services.signup_create(shift=first, volunteer=person)  # the waitlist

    # Today: a shift starting within the hour, its check-in code ready on the editor's phone.
    now = timezone.localtime(clock.real_now)
    soon = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=40)
    today = services.activity_create(
        organisation=org, actor=organiser, title="社区助老义剪", cause="elders", region_code="110105",
        place="朝阳区幸福里社区活动中心", skills_wanted=["理发"], description="为社区老人免费理发。",
        shifts=[(soon, soon + datetime.timedelta(hours=2), 6)])
    for person in people[1:5]:
        services.signup_create(shift=_shift(today), volunteer=person)
    services.signup_create(shift=_shift(today), volunteer=volunteer)

    # Online micro-task: translating the warm-pack project's story; hours reported, waiting.
    clock.set(days=3)
    online = services.activity_create(
        organisation=org, actor=organiser, title="翻译温暖包项目故事（线上）", kind="online", cause="elders",
        region_code="110000", skills_wanted=["翻译"], description="把项目故事译成英文，方便海外华人转发。",
        shifts=[(clock.real_now + datetime.timedelta(days=1), clock.real_now + datetime.timedelta(days=8), 5)])
    clock.set(days=1)
    hours.hours_report(volunteer=people[4], activity=online, minutes=90, served_on=timezone.localdate(),
                       note="译完了第一段和第二段，译文已发到机构邮箱。")
    clock.set(days=0)
    checked = CheckIn.objects.filter(shift__activity=last_week).count()
    return f"{len(people)} volunteers, {checked} checked in last week, group “{group.name}”"


def demo_user(demo, i: int):
    from jusha.demo.loader import _user

    return _user(f"volunteer{i}@demo.jusha", display_name=f"志愿者{NAMES[i]}")
