"""The demo's credibility story (issue 21): verification steps reviewed by staff, donors
answering after delivery, reports answered, dismissed and upheld (one suspends a project),
and ratings computed over the months so each organisation has a history, in different
grade bands. Runs on the demo's clock (jusha/demo/loader.py)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.core.money import Money
from jusha.demo import images
from jusha.giving.models import Donation
from jusha.ledger.selectors import project_available
from jusha.ledger.services import expenditure_record
from jusha.organisations.models import VerificationStep
from jusha.organisations.services import verification_step_review, verification_step_submit
from jusha.ratings.services import feedback_give, rating_compute
from jusha.reports.kinds import ORGANISATION, PROJECT
from jusha.reports.services import report_answer, report_submit, report_transition
from jusha.transparency.services import log_sequence

STEP_DETAILS = {
    "registry": "民政部门登记证书，统一社会信用代码与平台登记一致。",
    "people": "理事长、秘书长与财务负责人的任职文件。",
    "funds": "财务管理制度：专款专用，两人审批，季度公示。",
    "bank": "对公账户开户许可证（账号已打码）。",
    "milestones": "上一年度项目里程碑与验收材料。",
}


def steps(demo, organisation, owner, *, approved: int, waiting: int = 0) -> None:
    """The first `approved` steps approved by staff, the next `waiting` sent and waiting."""
    for n, step in enumerate(VerificationStep.Step.values[: approved + waiting]):
        demo.clock.set(days=96 - n)
        verification_step_submit(organisation=organisation, step=step, details=STEP_DETAILS[step],
                                 proof=images.voucher(f"V-{organisation.pk}-{n}", Money.whole(1)), actor=owner)
        if n < approved:
            demo.clock.set(days=94 - n)
            verification_step_review(organisation=organisation, step=step, approve=True, actor=demo.staff)


def feedback(demo) -> int:
    """Donors of the warm packs, whose packs were handed out, answer the one question."""
    stars = [5, 5, 4, 5, 5, 3, 5, 4, 5, 5, 4, 5]
    gifts = list(Donation.objects.filter(project=demo.warm, status="paid").order_by("paid_at")[: len(stars)])
    demo.clock.set(days=5)
    for gift, n in zip(gifts, stars):
        feedback_give(donation=gift, stars=n, allowed=True)
    return len(gifts)


def questionable(demo):
    """A fourth organisation with a poor record: spending disclosed months late, a report of
    fraud that staff upheld, its fundraising suspended."""
    from jusha.demo.loader import _user  # the loader's helper for demo accounts

    demo.clock.set(days=99)
    owner = _user("suyuan@demo.jusha", display_name="速援互助负责人")
    org = demo.organisation(
        owner=owner, slug="suyuanhuzhu", name="速援互助", legal_name="某市速援互助服务中心",
        body17="52330000MJ0099887", region="330000", email="contact@suyuan.demo",
        description="为突发重病的家庭募集医疗费用。",
    )
    project = demo.project(
        org=org, actor=owner, title="大病家庭紧急医疗救助", slug="emergency-medical-aid",
        summary="为 3 个突发重病的家庭筹集住院费用。", story="<p>每个家庭 2 万元住院押金与药费。</p>",
        cause="health", region="330100", goal_yuan=60_000, seed=7, palette=((180, 60, 60), (240, 200, 200)),
        lines=[("住院押金", 40_000), ("药费", 15_000), ("陪护", 5_000)], days=90,
    )
    demo.gifts_to(project, 25, start=95, end=30)
    # Spending recorded two months after it happened, against one line only.
    demo.clock.set(days=20)
    available = min(3_000, project_available(project).whole_units())
    expenditure_record(
        project=project, budget_line=project.budget_lines.first(), amount=Money.whole(available),
        description="住院押金（补登）", spent_on=timezone.localdate() - datetime.timedelta(days=75),
        voucher=images.voucher("ZJ-2026-late", Money.whole(available)), actor=owner,
    )
    demo.clock.set(days=18)
    report = report_submit(kind=PROJECT, target=project, reason="fraud",
                           details="项目照片与另一家机构两年前的求助帖相同，医院名称也对不上。", network="")
    report_transition(report=report, target="investigating", actor=demo.staff)
    demo.clock.set(days=12)  # never answered
    report_transition(
        report=report, target="upheld", actor=demo.staff, suspend=True,
        outcome="经核实，项目照片取自他人求助帖，所列医院未收治该患者。平台已暂停筹款，并要求机构说明资金去向。",
    )
    return org


def reports(demo) -> None:
    """A report about the warm packs, answered within a day and dismissed with its outcome."""
    demo.clock.set(days=30)
    report = report_submit(kind=PROJECT, target=demo.warm, reason="misuse", details="温暖包的采购价格是不是偏高？")
    demo.clock.set(days=29, hours=-8)
    report_answer(report=report, actor=demo.owner, answer="采购发票与三家比价单已在账本公示，见第 1、2 批。")
    demo.clock.set(days=27)
    report_transition(report=report, target="dismissed", actor=demo.staff,
                      outcome="工作人员核对了发票与比价单，采购价格与市场价一致。")
    demo.clock.set(days=10)
    slow = report_submit(kind=ORGANISATION, target=demo.org_kids, reason="false_information",
                         details="图书角的数量和照片对不上。")
    demo.clock.set(days=3)
    report_answer(report=slow, actor=demo.owner_kids, answer="第二批 5 个图书角下月建成，届时公示照片。")


def ratings(demo, organisations) -> None:
    """The worker's daily job, as it would have run over the last two months (a few days of
    it: enough for each organisation's history chart). The log's sequencer runs first, as
    the worker's would have, so the spending's facts are in the log."""
    log_sequence()
    for days in (60, 30, 9, 7, 5, 3, 1, 0):
        demo.clock.set(days=days)
        for organisation in organisations:
            rating_compute(organisation=organisation, now=demo.clock.now())


def hearing_aids(demo) -> None:
    """The hearing aids were bought and fitted (the project stays "funded" until its editor
    starts the fitting visits): their money is put to work."""
    demo.hearing.refresh_from_db()
    at = demo.clock.set(days=84)
    demo.spend(demo.hearing, 0, 2_000, "助听器 4 副及验配", f"HN-{timezone.localtime(at):%Y-%m%d}")


def run(demo) -> None:
    hearing_aids(demo)
    steps(demo, demo.org_elders, demo.owner, approved=5)
    steps(demo, demo.org_kids, demo.owner_kids, approved=3, waiting=1)
    steps(demo, demo.org_green, demo.owner_green, approved=1)
    org_bad = questionable(demo)
    reports(demo)
    feedback(demo)
    ratings(demo, [demo.org_elders, demo.org_kids, demo.org_green, org_bad])
