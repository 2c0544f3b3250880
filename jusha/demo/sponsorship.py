"""The demo's one-to-one sponsorship programme (山里娃助学): students waiting and sponsored,
all invented; the demo donor sponsors two of them, and one of those journeys went through
a lost-contact follow-up (a report long overdue, the teacher called, the partner visited,
the student reached and now at a technical school)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.demo import images
from jusha.payments.sandbox import SandboxProvider
from jusha.giving.services import donation_open
from jusha.sponsorship import casework, pledging, services

# (alias, year of birth, county, stage, need, photo consent): all invented.
STUDENTS = [
    ("小禾", 2009, "522634", "senior", "高中三年的学费和住校生活费；父亲在外打工，母亲照顾两个弟弟。", True),
    ("春生", 2008, "522631", "senior", "高三的学费与住校费；奶奶独自抚养。", False),
    ("阿朵", 2011, "522623", "junior", "初中住校的伙食费和冬衣。", True),
    ("石头", 2010, "522635", "junior", "初三学费与往返车费；家离学校两小时山路。", False),
    ("小满", 2012, "522627", "primary", "六年级的书本、校服和营养午餐补充。", True),
    ("木兰", 2008, "522601", "vocational", "护理专业技校的学费。", False),
]


def load(demo) -> str:
    """Builds on the demo's people, organisations and clock (`demo`: jusha.demo.loader.Demo)."""
    org, owner, donor = demo.org_kids, demo.owner_kids, demo.donor
    clock = demo.clock
    clock.set(days=120)
    project = demo.project(
        org=org, actor=owner, title="一对一助学：陪山里娃读完这一程", slug="one-to-one-sponsorship", days=3 * 365,
        summary="每月 300 元起，一对一资助一位黔东南的学生；机构按时寄来成绩与书信，失联了也会有人去找。",
        story="<p>每一份资助都记在这位学生自己的账户里：学费和生活费由机构凭票据直接付给学校或监护人，"
              "您在自己的页面上能看到每一分钱的去向。书信都经过机构转交，不交换联系方式。</p>",
        cause="education", region="522600", goal_yuan=2_000_000, seed=7, palette=((190, 110, 40), (250, 220, 170)),
        lines=[("助学金（学费与生活费）", 1_900_000), ("家访与回访", 100_000)],
    )
    programme = services.programme_set(organisation=org, project=project, actor=owner, report_every_days=60,
                                       lost_contact_after_days=30)
    students = {}
    for alias, born, county, stage, need, photo in STUDENTS:
        students[alias] = services.beneficiary_create(
            programme=programme, actor=owner, legal_name=f"示例·{alias}（虚构）", guardian_name="示例监护人（虚构）",
            guardian_consent_on=timezone.localdate() - datetime.timedelta(days=5), guardian_consent_note="家访时签署纸质同意书",
            alias=alias, birth_year=born, region_code=county, stage=stage, need=need, photo_consent=photo,
        )

    def sponsor(alias, who, months, fen):
        sponsorship, donation, _t = services.sponsorship_create(
            beneficiary=students[alias], donor=who, amount=Money(fen), months=months, client=ClientContext())
        SandboxProvider().complete(donation.intent_id, "succeeded")
        sponsorship.refresh_from_db()
        return sponsorship

    def next_month(sponsorship):
        """As a monthly pledge will charge it: the target's terms, an ordinary gift, paid."""
        # The demo's months are about a month apart; a couple of days' slack keeps each in its
        # own calendar month whatever day the demo is loaded (the pledge charges by calendar month).
        terms = pledging.charge_terms(sponsorship.pk, on=timezone.localdate() + datetime.timedelta(days=2))
        donation, _token = donation_open(project=terms.project, amount=terms.amount, client=ClientContext(),
                                         donor=terms.donor, context=terms.context)
        SandboxProvider().complete(donation.intent_id, "succeeded")

    # 小禾: three months paid, tuition paid to the school with its receipt, a report and letters.
    xiaohe = sponsor("小禾", donor, 36, 30000)
    clock.set(days=118)
    casework.message_send(sponsorship=xiaohe, actor=donor, body="小禾你好！我在北京工作，很高兴能陪你读高中。")
    message = xiaohe.messages.get()
    casework.message_moderate(message=message, actor=owner, relay=True)
    clock.set(days=89)
    next_month(xiaohe)
    clock.set(days=65)
    casework.report_post(sponsorship=xiaohe, actor=owner, grades="期中：数学 112/150，语文 98/150，英语 105/150",
                         letter="叔叔好！高一的课比初中难多了，但我每天晚自习都会把错题再做一遍。谢谢您！", photo=images.photo(11))
    clock.set(days=59)
    next_month(xiaohe)
    clock.set(days=40)
    services.disbursement_record(sponsorship=xiaohe, actor=owner, payee="school", amount=Money(60000),
                                 description="雷山县民族中学 秋季学期学费", spent_on=timezone.localdate(),
                                 voucher=images.voucher("LS-2026-031", Money(60000)))
    clock.set(days=35)
    casework.message_send(sponsorship=xiaohe, actor=owner, body="叔叔，我们学校运动会我跑了 800 米第三名！", from_beneficiary=True)

    # 春生: a report long overdue, a follow-up with a partner near him, reached, a changed plan.
    clock.set(days=30)
    next_month(xiaohe)
    clock.set(days=119)
    chunsheng = sponsor("春生", donor, 12, 40000)
    for days in (88, 58):
        clock.set(days=days)
        next_month(chunsheng)
    chunsheng.refresh_from_db()
    due = chunsheng.next_report_due
    clock.at = timezone.make_aware(datetime.datetime.combine(due + datetime.timedelta(days=31), datetime.time(10)))
    clock.at = min(clock.at, clock.real_now)
    assert casework.sponsorships_check_reports(on=timezone.localdate()) == 1
    case = chunsheng.cases.get()
    casework.case_step_add(case=case, actor=owner, kind="call", note="联系班主任：春生高考前模考失利，觉得对不起资助人，不敢回信。")
    casework.case_share(case=case, actor=owner, partner=demo.org_elders)
    casework.case_step_add(case=case, actor=owner, kind="visit", note="同县伙伴机构家访，奶奶身体尚好，春生在家。")
    casework.message_send(sponsorship=chunsheng, actor=donor, body="春生，一次考试不代表人生。我们都在，慢慢来。")
    casework.message_moderate(message=chunsheng.messages.get(), actor=owner, relay=True)
    clock.set(days=3)
    casework.case_close(case=case, actor=owner, outcome="reached",
                        note="春生决定去读技校学计算机，资助继续用于技校学费。他说谢谢您一直没有放弃他。")
    clock.set(days=0)
    return f"demo: sponsorship programme with {len(STUDENTS)} students, 2 sponsored by the demo donor (one after a follow-up)"
