"""The demo platform (JUSHA_DEMO=1 only), built through the same services users go through:
organisations verified by staff, projects reviewed and published, gifts paid through the
sandbox provider's signed notifications, expenditures with vouchers, progress updates.
"""

from __future__ import annotations

import datetime
import random
from unittest import mock

from django.conf import settings
from django.test import override_settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.demo import credibility
from jusha.demo import community as community_demo
from jusha.demo import alliance as alliance_demo
from jusha.demo import crisis as crisis_demo
from jusha.demo import sponsorship as sponsorship_demo
from jusha.demo import images
from jusha.demo import volunteering as volunteering_demo
from jusha.giving.services import donation_open, donation_refund, project_accepting
from jusha.ledger.services import expenditure_record
from jusha.organisations.models import Membership, Organisation
from jusha.organisations.services import organisation_create, organisation_submit, organisation_verify
from jusha.organisations.uscc import checksum_char
from jusha.payments.sandbox import SandboxProvider
from jusha.projects.models import Project
from jusha.projects.services import project_create, project_mark_funded_if_full, project_transition, update_post
from jusha.social.services import attribution_capture, relay_light, share_open_record
from jusha.social.visitors import Visitor, salted
from jusha.campaigns.services import application_submit, application_transition, campaign_create
from jusha.fulfilment import services
from jusha.fulfilment.models import Batch, DeliveryConfirmation, StatusChange
from jusha.ledger.selectors import project_available
from jusha.matching.models import Match
from jusha.matching.selectors import pool_figures
from jusha.matching.services import match_release, pool_create, pool_deposit, pool_transition
from jusha.projects.selectors import project_sums
from jusha.missing import services as missing
from jusha.demo import rational as rational_demo

PASSWORD = "jusha-demo"
LOGINS = {
    "staff": "staff@demo.jusha",
    "owner": "owner@demo.jusha",
    "finance": "finance@demo.jusha",
    "editor": "editor@demo.jusha",
    "donor": "donor@demo.jusha",
    "responder": "responder@demo.jusha",
    "volunteer": "volunteer@demo.jusha",
}

NAMES = ["小雨", "阿杰", "山里来的风", "晴天", "陈老师", "一颗糖", "李阿姨", "老周", "木木", "星星", "大鹏", "小鹿", "Amy", "向日葵", "王同学"]
MESSAGES = ["愿老人家冬天温暖", "一点心意", "加油！", "聚沙成塔", "转给朋友们一起捐", "", "", "", "希望孩子们开心", "冬天快乐"]


class DemoRefused(Exception):
    pass


class DemoClock:
    """The demo's own clock, so that it tells one story over the past months: while the demo
    is built, `timezone.now()` (and with it every created_at, paid_at, journal entry and
    expenditure date) reads this clock, which each step sets to when it happened. It never
    runs past the real now."""

    def __init__(self, real_now: datetime.datetime):
        self.real_now = self.at = real_now

    def now(self) -> datetime.datetime:
        return self.at

    def set(self, *, days: float = 0, hours: float = 0) -> datetime.datetime:
        """Set the clock to so long before the real now."""
        self.at = self.real_now - datetime.timedelta(days=days, hours=hours)
        return self.at

    def spread(self, count: int, *, start: float, end: float) -> list[datetime.datetime]:
        """`count` moments from `start` to `end` days ago, in order, at daytime hours."""
        if count <= 0:
            return []
        step = (start - end) / count
        moments = []
        for i in range(count):
            at = self.real_now - datetime.timedelta(days=start - step * (i + 0.5))
            local = timezone.localtime(at)
            if local.hour < 8:  # nobody gives at 4 in the morning in a demo
                at += datetime.timedelta(hours=8 - local.hour)
            moments.append(min(at, self.real_now))
        return moments


def _cn_date(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month} 月 {local.day} 日"


def _uscc(body17: str) -> str:
    return body17 + checksum_char(body17)


def _user(email: str, *, display_name: str = "", staff: bool = False):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, PASSWORD, display_name=display_name, is_staff=staff, is_superuser=staff)
    if user.email_verified_at is None:  # demo accounts have no mailbox: their addresses count as confirmed
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.refresh_from_db(fields=["email_verified_at"])
    return user


def _yuan(yuan: int) -> Money:
    return Money.whole(yuan)


class Demo:
    def __init__(self, *, gifts: int = 500, seed: int = 99, out=print, clock: DemoClock | None = None):
        self.clock = clock or DemoClock(timezone.now())
        self.ticking: datetime.timedelta | None = None  # with no `at`, how far the clock moves per gift
        self.rng = random.Random(seed)
        self.gift_budget = gifts
        self.out = out
        self.gifts = 0

    # --- people and organisations ---------------------------------------------
    def people(self):
        self.staff = _user(LOGINS["staff"], display_name="平台审核员", staff=True)
        self.owner = _user(LOGINS["owner"], display_name="张理事长")
        self.finance = _user(LOGINS["finance"], display_name="财务王会计")
        self.editor = _user(LOGINS["editor"], display_name="项目编辑小林")
        self.donor = _user(LOGINS["donor"], display_name="热心捐赠人")
        self.responder = _user(LOGINS["responder"], display_name="树洞救援志愿者")
        self.volunteer = _user(LOGINS["volunteer"], display_name="志愿者小周")

    def organisation(self, *, owner, slug, name, legal_name, body17, region, description, email):
        org = organisation_create(
            actor=owner, slug=slug, name=name, legal_name=legal_name, uscc=_uscc(body17),
            public_fundraising_qualified=True, contact_email=email, contact_phone="010-6000 0000",
            website="", region_code=region, description=description,
        )
        organisation_submit(organisation=org, actor=owner)
        organisation_verify(organisation=org, actor=self.staff)
        return org

    def organisations(self):
        self.org_elders = self.organisation(
            owner=self.owner, slug="laoyousuoyi", name="老有所依公益", legal_name="北京市老有所依公益基金会",
            body17="53110000500012345", region="110000", email="contact@laoyousuoyi.demo",
            description="关注独居与留守老人的冬季保暖、助听与陪伴。",
        )
        for user, role in ((self.finance, "finance"), (self.editor, "editor")):
            Membership.objects.get_or_create(organisation=self.org_elders, user=user, defaults={"role": role})
        self.owner_kids = _user("shanliwa@demo.jusha", display_name="山里娃负责人")
        self.org_kids = self.organisation(
            owner=self.owner_kids, slug="shanliwa", name="山里娃助学", legal_name="贵州省山里娃助学服务中心",
            body17="52520000MJ0012345", region="520000", email="hello@shanliwa.demo",
            description="为黔东南山区学校的孩子送去校服、图书和冬衣。",
        )
        self.owner_green = _user("lvse@demo.jusha", display_name="绿色家园负责人")
        self.org_green = self.organisation(
            owner=self.owner_green, slug="lvsejiayuan", name="绿色家园", legal_name="甘肃省绿色家园环境保护协会",
            body17="51620000MJ0054321", region="620000", email="info@lvsejiayuan.demo",
            description="在黄土高原种树固沙，也照顾城市里的流浪动物。",
        )

    # --- projects ---------------------------------------------------------------
    def project(self, *, org, actor, title, summary, story, cause, region, goal_yuan, lines, days=60,
                unit=("", None), shortfall="proportional", overflow="refund", seed=0, palette=((200, 60, 40), (250, 200, 120)),
                beneficiaries=0, publish=True, slug="", photo=False):
        """A project; only with `photo` does it upload a cover of its own (the others show
        their cause's designed cover, jusha.projects.covers)."""
        project = project_create(
            organisation=org, actor=actor, title=title, summary=summary, story=story, cause=cause,
            region_code=region, goal=_yuan(goal_yuan), ends_at=self.clock.real_now + datetime.timedelta(days=days),
            beneficiary_count=beneficiaries, unit_name=unit[0], unit_cost=_yuan(unit[1]) if unit[1] else None,
            shortfall_rule=shortfall, overflow_rule=overflow,
            budget_lines=[(t, _yuan(y)) for t, y in lines], cover=images.cover(seed, palette) if photo else None, slug_hint=slug,
        )
        project_transition(project=project, target="in_review", actor=actor)
        if publish:
            project_transition(project=project, target="fundraising", actor=self.staff, reason="资料齐全，准予上线")
        return Project.objects.get(pk=project.pk)

    def projects(self):
        story = (
            "<p>在四川巴中通江县的大山里，许多老人独自生活，子女在外打工。冬天山里气温常在零度以下，"
            "一件厚棉衣、一双棉鞋、一床电热毯，就是一个温暖的冬天。</p>"
            "<p>每个<strong>温暖包</strong> 200 元：180 元买棉衣、棉鞋、帽子、手套和电热毯，"
            "20 元用于物流、入户发放和公示。由当地志愿者逐户送到老人手中，并拍照公示（仅在老人同意时）。</p>"
            "<ul><li>每一笔捐款都在公开账本上</li><li>每一批采购都有发票凭证</li><li>每一次发放都会公示</li></ul>"
        )
        self.warm = self.project(
            org=self.org_elders, actor=self.editor, title="老有所衣：为独居老人送温暖包", slug="warm-packs-for-elders", photo=True,
            summary="200 元一个温暖包（180 元物资 + 20 元送到家），让大山里的独居老人暖暖过冬。", story=story, cause="elders",
            region="511921", goal_yuan=50_000, unit=("温暖包", 200), beneficiaries=250, seed=1,
            lines=[("温暖包物资（250 个 × 180 元）", 45_000), ("物流与入户发放（250 个 × 14 元）", 3_500),
                   ("执行与公示（250 个 × 6 元）", 1_500)],
        )
        Project.objects.filter(pk=self.warm.pk).update(featured=True)
        self.uniforms = self.project(
            org=self.org_kids, actor=self.owner_kids, title="山区孩子的冬季校服", slug="winter-uniforms",
            summary="为雷山县 150 名小学生每人添一套加厚冬季校服。",
            story="<p>雷山县的山村小学冬天阴冷潮湿，许多孩子只有单薄的外套。每套加厚校服 200 元。</p>",
            cause="children", region="522634", goal_yuan=30_000, beneficiaries=150, seed=2,
            palette=((40, 90, 160), (160, 210, 240)), lines=[("校服采购", 27_000), ("运输", 2_000), ("执行", 1_000)],
            unit=("冬季校服", 200),
        )
        Project.objects.filter(pk=self.uniforms.pk).update(featured=True)
        self.books = self.project(
            org=self.org_kids, actor=self.owner_kids, title="乡村学校图书角", slug="village-reading-corners",
            summary="为 10 所村小各建一个 300 本书的图书角。",
            story="<p>每个图书角 500 元，含书架和精选儿童读物。</p>", cause="education", region="522634",
            goal_yuan=5_000, seed=3, palette=((60, 140, 80), (200, 230, 160)),
            lines=[("图书与书架", 4_500), ("运输安装", 500)], shortfall="refund",
        )
        self.trees = self.project(
            org=self.org_green, actor=self.owner_green, title="黄土高原种下一片林", slug="loess-plateau-trees",
            summary="在通渭县荒坡种植 1000 棵侧柏，三年养护。",
            story="<p>每棵树 3 元（树苗、栽种与三年养护）。</p>", cause="environment", region="621121",
            goal_yuan=3_000, seed=4, palette=((110, 150, 60), (230, 220, 160)),
            lines=[("树苗", 1_800), ("栽种人工", 900), ("养护", 300)],
        )
        self.hearing = self.project(
            org=self.org_elders, actor=self.editor, title="给听不清的老人一副助听器", slug="hearing-aids-for-elders",
            summary="为永顺县 4 位重度听力障碍老人配助听器。",
            story="<p>每副助听器 500 元，含验配。</p>", cause="health", region="433127", goal_yuan=2_000,
            seed=5, palette=((150, 90, 160), (240, 200, 230)), lines=[("助听器与验配", 2_000)], overflow="keep",
        )
        self.animals = self.project(
            org=self.org_green, actor=self.owner_green, title="流浪动物冬季救助站", slug="stray-animal-shelters",
            summary="为朝阳区流浪猫狗搭建 20 个冬季保暖窝。", story="<p>每个保暖窝 150 元。</p>",
            cause="animals", region="110105", goal_yuan=3_000, seed=6, palette=((200, 140, 60), (250, 230, 190)),
            lines=[("保暖窝材料", 2_500), ("搭建", 500)], publish=False,
        )

    # --- gifts ------------------------------------------------------------------
    def give(self, project, amount: Money, *, donor=None, via=None, at: datetime.datetime | None = None, context=None):
        """One gift through the sandbox; `via`: (share link, visitor) it came through; `at`:
        when (the clock is set to it)."""
        if at is not None:
            self.clock.at = at
        elif self.ticking:  # one gift after another, a while apart, never past the real now
            self.clock.at = min(self.clock.at + self.ticking * (0.5 + self.rng.random()), self.clock.real_now)
        rng = self.rng
        anonymous = rng.random() < 0.2
        name = "" if anonymous or donor else rng.choice(NAMES)
        message = rng.choice(MESSAGES)
        show_message = bool(message) and self.gifts % 4 != 0  # most, not all, donors show theirs (no draw: same demo)
        donation, _token = donation_open(
            project=project, amount=amount, client=ClientContext(), donor=donor, anonymous=anonymous, name=name,
            message=message, show_message=show_message,
            email="" if donor else (f"guest{self.gifts}@example.org" if rng.random() < 0.05 else ""),
            context=context,
        )
        if via is not None:
            link, visitor = via
            share_open_record(link=link, visitor=visitor)
            attribution_capture(donation=donation, code=link.code, visitor=visitor)
        result = "failed" if rng.random() < 0.03 else "succeeded"
        SandboxProvider().complete(donation.intent_id, result)
        self.gifts += 1
        donation.refresh_from_db()
        return donation

    def amount(self) -> Money:
        rng = self.rng
        if rng.random() < 0.75:
            return Money(rng.choice([1000, 1000, 2000, 2000, 5000, 5000, 10000, 20000]))
        return Money(rng.randint(100, 20000))

    def gifts_to(self, project, count: int, *, fill: bool = False, start: float = 90, end: float = 10) -> None:
        """`count` gifts spread from `start` to `end` days ago; with `fill`, more until the
        goal is reached (about one a day from `start`)."""
        for i, at in enumerate(self.clock.spread(count, start=start, end=end)):
            self.give(project, self.amount(), donor=self.donor if i % 40 == 0 else None, at=at)
        if fill:
            moments = iter(self.clock.spread(max(5, project.goal // 6_000), start=start, end=end))
            while True:
                left = project.goal_money - Money(project_sums([project.pk])[project.pk].raised, project.currency)
                if left.amount <= 0:
                    break
                self.give(project, min(left, self.amount()), at=next(moments, None))
            project_mark_funded_if_full(project_id=project.pk)

    def spend(self, project, line_index: int, yuan: int, description: str, number: str, *, pdf: bool = False):
        # A small demo (--gifts) raises less: spend what is there, never more (whole yuan).
        yuan = min(yuan, project_available(project).times(8).whole_units() // 10)
        if yuan <= 0:
            return
        line = list(project.budget_lines.all())[line_index]
        voucher = images.pdf_voucher(number, _yuan(yuan)) if pdf else images.voucher(number, _yuan(yuan))
        expenditure_record(
            project=project, budget_line=line, amount=_yuan(yuan), description=description,
            spent_on=timezone.localdate(), voucher=voucher,  # the demo's clock: the day it is recorded
            actor=self.finance if project.organisation_id == self.org_elders.pk else project.organisation.memberships.get(role="owner").user,
        )

    def update(self, project, actor, title: str, body: str, photos: int = 1):
        update_post(project=project, actor=actor, title=title, body=body,
                    photos=[images.photo(self.rng.randint(0, 10**6)) for _ in range(photos)])

    def activity(self):
        """The small projects fill in their first weeks and are carried out; the warm packs
        and the uniforms raise money over three months, the warm packs buying and handing
        out their first 40 in early November's cold. Every step happens on the demo's clock."""
        budget, clock = self.gift_budget, self.clock
        self.gifts_to(self.hearing, 0, fill=True, start=98, end=88)
        self.gifts_to(self.trees, 0, fill=True, start=97, end=85)
        self.gifts_to(self.books, 0, fill=True, start=96, end=80)
        spent_so_far = self.gifts
        self.warm_gifts = max(0, int((budget - spent_so_far) * 0.62))  # half before the batch plan, half between batches
        self.gifts_to(self.warm, self.warm_gifts // 2, start=95, end=47)
        self.gifts_to(self.uniforms, max(0, budget - self.gifts), start=92, end=3)

        # Reading corners: funded, now executing, with spending and an update.
        self.books.refresh_from_db()
        clock.set(days=78)
        project_transition(project=self.books, target="executing", actor=self.owner_kids)
        at = clock.set(days=74)
        self.spend(self.books, 0, 2_250, "首批 5 个图书角：书架与图书", f"GZ-{timezone.localtime(at):%Y-%m%d}", pdf=True)
        clock.set(days=60)
        self.update(self.books, self.owner_kids, "首批 5 个图书角已建成", "<p>孩子们第一次有了自己的图书角。</p>", photos=2)

        # Trees: funded, planted, completed with a final report.
        self.trees.refresh_from_db()
        clock.set(days=83)
        project_transition(project=self.trees, target="executing", actor=self.owner_green)
        at = clock.set(days=80)
        self.spend(self.trees, 0, 1_800, "侧柏树苗 1000 棵", f"GS-{timezone.localtime(at):%Y-%m%d}")
        at = clock.set(days=76)
        self.spend(self.trees, 1, 900, "栽种人工 30 人日", f"GS-{timezone.localtime(at):%Y-%m%d}")
        planted = clock.set(days=70)
        self.update(self.trees, self.owner_green, "1000 棵侧柏已种下",
                    f"<p>{_cn_date(planted)}，1000 棵侧柏全部栽下，一个月后回访成活率 92%。</p>", photos=2)
        clock.set(days=40)
        project_transition(project=self.trees, target="completed", actor=self.owner_green,
                           final_report="<p>共种植侧柏 1000 棵，支出 2,700 元，余 300 元用于后续养护（见账本）。</p>")

        # Warm packs: one gift partly refunded on the donor's request.
        paid = self.warm.donations.filter(status="paid", amount__gte=2000).order_by("paid_at").first()
        if paid is not None:
            clock.set(days=46)
            donation_refund(donation=paid, amount=Money(1000, "CNY"), reason="捐赠人误操作，申请退回部分金额", actor=self.finance)

    # --- delivery batches (jusha.fulfilment) ---------------------------------------------
    def fulfilment(self):
        """Warm packs go out in batches of 20 (4,000 yuan): the plan is set 50 days ago and a
        batch is funded whenever the gifts cover one (about 45, 30, 25, 6 and 1 days ago),
        each then bought, shipped, delivered and disclosed on its own days, one batch late.
        Every step happens on the demo's clock, so the journal, the batches and the updates
        tell the same dates."""
        clock, rng = self.clock, self.rng
        warm = Project.objects.get(pk=self.warm.pk)
        clock.set(days=50)
        services.batch_plan_set(project=warm, batch_size=20, actor=self.editor)
        cost = warm.unit_cost_money.times(20)
        line, transport = list(warm.budget_lines.order_by("position"))[:2]
        stamps = {"created": "created_at", **services.STAMPS}
        # Per batch: days ago it is funded, purchased, shipped, delivered, disclosed; deliveries.
        stages = [(45, 42, 39, 33, 30, 20), (30, 27, 10, 3, None, 20), (25, 22, 20, None, None, 8),
                  (6, 2, None, None, None, 0), (1, None, None, None, None, 0)]
        rest, since = self.warm_gifts - self.warm_gifts // 2, 47
        for number, (*days, deliveries) in enumerate(stages, start=1):
            # The gifts since the last batch, then companies' teams give what is missing.
            share = rest // (len(stages) - number + 1)
            rest -= share
            for at in clock.spread(share, start=since, end=days[0] + 0.5):
                self.give(warm, self.amount(), at=at)
            clock.set(days=days[0] + 0.3)
            while project_available(warm) < cost:
                self.give(warm, rng.choice([_yuan(200), _yuan(500), _yuan(1_000)]))
            since = days[0]
            clock.set(days=days[0])
            for batch in services.batches_create_due(project_id=warm.pk):
                self.batch_steps(warm, batch, days if batch.number == number else [days[0], None, None, None, None],
                                 deliveries if batch.number == number else 0, line, stamps)
            if number == 1:  # the first batch's delivery costs, the purchase and delivery told as updates
                at = clock.set(days=days[1] - 0.2)
                self.update(warm, self.editor, "第 1 批温暖包采购完成", "<p>第 1 批 20 个温暖包已完成采购，发票见公开账本。</p>")
                delivered = clock.set(days=days[3])
                self.spend(warm, 1, 600, "第 1 批入户发放交通费", f"SC-{timezone.localtime(delivered):%Y-%m%d}", pdf=True)
                clock.set(days=days[4] + 0.1)
                self.update(warm, self.editor, "第 1 批 20 个温暖包已送到老人家中",
                            f"<p>{_cn_date(delivered)}前后，志愿者走访通江县 3 个村，为 20 位独居老人送去温暖包。</p>", photos=3)
        clock.set(days=0)
        services.batches_flag_overdue()  # batch 3 has been on its way for 20 days: late

    def batch_steps(self, warm, batch, days, deliveries, line, stamps):
        """One batch bought, shipped, delivered and disclosed on the demo's clock (days ago
        for each step; None: not yet), its status history dated the same."""
        clock, rng = self.clock, self.rng
        funded = clock.at
        if days[1] is not None:
            at = clock.set(days=days[1])
            invoice = f"SC-{timezone.localtime(at):%Y-%m%d}-{batch.number:02d}"
            batch = services.batch_purchase(
                batch=batch, actor=self.finance, budget_line=line, amount=_yuan(180).times(20),
                description=f"第 {batch.number} 批温暖包 20 个（棉衣、棉鞋、电热毯）", spent_on=timezone.localdate(),
                invoice=images.voucher(invoice, _yuan(180).times(20)),
            )  # 180 yuan a pack: the other 20 of each 200 go back to the fund for delivery costs
        if days[2] is not None:
            clock.set(days=days[2])
            batch = services.batch_ship(batch=batch, actor=self.editor, carrier="中国邮政 EMS",
                                        tracking_number=f"EMS{rng.randint(10**9, 10**10 - 1)}CN")
        if deliveries:
            start = clock.at
            end = clock.real_now - datetime.timedelta(days=days[3]) if days[3] is not None else clock.real_now
            for i in range(1, deliveries + 1):
                clock.at = start + (end - start) * i / (deliveries + 1) if i < deliveries or days[3] is None else end
                photo = i % 3 == 1  # a photo only where the elder agreed
                services.delivery_confirm(
                    project=warm, batch=batch, actor=self.editor, recipient=f"长者{batch.number}-{i:02d}",
                    county_code=warm.region_code, delivered_at=timezone.now(), deliverer="通江县志愿者队",
                    signature=images.signature(batch.number * 100 + i),
                    photo=images.photo(batch.number * 100 + i) if photo else None,
                    photo_consent=photo, others_consented=photo,
                )
        if days[4] is not None:
            clock.set(days=days[4])
            services.batch_disclose(batch=batch, actor=self.editor, note="20 个温暖包全部送到老人家中，签收单由机构存档备查。")
        # The batch's own stamps and status history, from the steps as they happened.
        fields = ["funded_at", "purchased_at", "shipped_at", "delivered_at", "disclosed_at"]
        at = {f: clock.real_now - datetime.timedelta(days=d) for f, d in zip(fields[1:], days[1:]) if d is not None}
        at["funded_at"] = at["created_at"] = funded
        status = Batch.objects.values_list("status", flat=True).get(pk=batch.pk)
        Batch.objects.filter(pk=batch.pk).update(status_changed_at=at[stamps[status]], **at)
        for pk, target in StatusChange.objects.filter(batch=batch).values_list("pk", "target"):
            StatusChange.objects.filter(pk=pk).update(created_at=at[stamps[target]])

    # --- a giving day (jusha.campaigns, jusha.matching) ---------------------------------
    def giving_day(self):
        """A giving day running now (opened yesterday, two more days): a company foundation's
        two matching pools, funded by deposits and activated by staff — 1:1 with daily
        tranches, and random 0.5–1.5× for the uniforms, nearly spent — the warm-pack and
        uniform projects accepted, matched gifts, and members' gifts held for review (one
        released by staff)."""
        sponsor_owner = _user("tengda@demo.jusha", display_name="腾达基金会秘书长")
        self.sponsor = self.organisation(
            owner=sponsor_owner, slug="tengda-foundation", name="腾达公益基金会", legal_name="深圳市腾达公益基金会",
            body17="53440300MJ0098765", region="440300", email="fund@tengda.demo",
            description="企业基金会：在公益日为用户的每一笔善款配捐，规则与每一笔配捐全部公开。",
        )
        self.ticking = None
        now = self.clock.set(hours=22)
        self.campaign = campaign = campaign_create(
            actor=self.staff, slug="99-giving-day", title="99 公益日 · 一起捐", publish=True,
            summary="三天里，腾达公益基金会为你的每一笔善款配捐：规则、种子与每一笔配捐全部公开可查。",
            description="<p>配捐先到先得，额度用完即止。被标记的捐赠照常接收，其配捐在平台审核后发放。</p>",
            starts_at=now - datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=2),
        )
        for project, applicant in ((self.uniforms, self.owner_kids), (self.warm, self.editor)):
            application = application_submit(campaign=campaign, project=project, actor=applicant, pitch=project.summary)
            application_transition(application=application, target="accepted", actor=self.staff)
        random_pool = pool_create(
            sponsor=self.sponsor, actor=sponsor_owner, campaign=campaign, name="腾达随机配捐（0.5–1.5 倍）",
            budget=_yuan(2_000), min_bp=5_000, max_bp=15_000, min_gift=_yuan(1), gift_cap=_yuan(100), projects=[self.uniforms],
        )
        fixed_pool = pool_create(
            sponsor=self.sponsor, actor=sponsor_owner, campaign=campaign, name="腾达 1:1 配捐", budget=_yuan(20_000),
            min_bp=10_000, max_bp=10_000, min_gift=_yuan(1), gift_cap=_yuan(100), donor_daily_cap=_yuan(300),
            tranches=[_yuan(10_000), _yuan(6_000), _yuan(4_000)],
        )
        for number, pool in enumerate((random_pool, fixed_pool), start=1):
            pool_deposit(pool=pool, amount=pool.budget_money, reference=f"CMB-2026-0906-{number:02d}", actor=self.staff)
            pool_transition(pool=pool, target="active", actor=self.staff)

        def need(project) -> Money:
            return project.goal_money - Money(project_sums([project.pk])[project.pk].raised, project.currency)

        def remaining(pool) -> Money:
            return Money(pool_figures(pool)["remaining"], pool.currency)

        self.ticking = datetime.timedelta(minutes=12)  # the giving day's gifts, one every few minutes
        # The uniforms' random pool is spent down to its last few yuan (never past them): a gift
        # at most 1/1.5 of what is left, so even the highest ratio's match fits.
        while (left := remaining(random_pool)) > _yuan(50) and need(self.uniforms) > _yuan(10):
            most = Money((left - _yuan(30)).amount * 10_000 // 15_000, left.currency)
            amount = min(self.amount(), most, need(self.uniforms) - _yuan(5))
            if amount < _yuan(1):
                break
            self.give(self.uniforms, amount)
        for _i in range(15):
            if project_accepting(self.warm)[0] and need(self.warm) > _yuan(100):
                self.give(self.warm, min(self.amount(), need(self.warm) - _yuan(50)))
        # Members giving to their own organisation's project: accepted, matches held for review.
        for member in (self.editor, self.finance):
            if project_accepting(self.warm)[0] and need(self.warm) > _yuan(100):
                self.give(self.warm, _yuan(50), donor=member)
        held = Match.objects.filter(pool=fixed_pool, status="held").order_by("created_at").first()
        if held is not None:
            match_release(match=held, actor=self.staff, note="核实为志愿者个人捐款，非机构资金回流")

    # --- the share relay (jusha.social) ----------------------------------------------------
    def relay(self):
        """爱心接力 on the warm packs: the demo donor gives and lights the relay; friends give
        through the link, some light it in turn, and their friends give through theirs."""
        guests = iter(range(1, 10_000))

        def guest():
            n = next(guests)
            return Visitor(sharer=salted(f"sharer:demo-guest-{n}"), visitor_id=salted(f"visitor:demo-guest-{n}"),
                           user_agent="Mozilla/5.0 (demo)", rate_key=salted(f"ip:demo-guest-{n}"))

        def looked(link, times):  # friends who opened the link and did not give
            for _ in range(times):
                share_open_record(link=link, visitor=guest())

        self.clock.set(days=20)
        self.ticking = datetime.timedelta(hours=9)  # a gift through the relay every nine hours or so
        first = self.give(self.warm, _yuan(100), donor=self.donor)
        top = relay_light(donation=first, visitor=Visitor(user=self.donor), shown_name="热心捐赠人")
        links = [top]
        for friends, lights in ((7, 3), (4, 1)):  # gifts through each link of this depth; how many light
            lit = []
            for link in links:
                for i in range(friends):
                    visitor = guest()
                    gift = self.give(self.warm, self.amount(), via=(link, visitor))
                    if i < lights and gift.status == "paid":
                        lit.append(relay_light(donation=gift, visitor=visitor, shown_name=self.rng.choice(NAMES)))
                looked(link, friends * 2)
            links = lit
        for link in links:  # the newest links: no gifts yet
            looked(link, 3)

    def missing_children(self):
        """A partner with a dozen fictional cases (drawn silhouettes, marked demo), and one
        demo site; Jusha's own 404 page shows them too."""
        owner = _user("xunqin@demo.jusha", display_name="寻亲互助负责人")
        org = self.organisation(
            owner=owner, slug="xunqin-demo", name="寻亲互助（示例）", legal_name="示例寻亲互助服务中心",
            body17="52510000MJ0067890", region="510000", email="help@xunqin.demo",
            description="示例机构：协助家庭寻找走失儿童。本演示中的人物均为虚构。",
        )
        missing.partner_grant(organisation=org, actor=self.staff)
        names = ["示例·小雨", "示例·阿福", "示例·朵朵", "示例·小石头", "示例·乐乐", "示例·星辰",
                 "示例·豆豆", "示例·安安", "示例·小川", "示例·米粒", "示例·果果", "示例·壮壮"]
        regions = ["510923", "510104", "510700", "500103", "520102", "530102",
                   "110105", "310104", "440106", "420102", "610113", "330106"]
        today = timezone.localdate()
        for i, (name, region) in enumerate(zip(names, regions)):
            born = today - datetime.timedelta(days=365 * self.rng.randint(4, 14) + self.rng.randint(0, 300))
            lost = timezone.now() - datetime.timedelta(days=self.rng.randint(2, 400), hours=self.rng.randint(0, 23))
            missing.case_create(organisation=org, actor=owner, is_demo=True, photo=images.silhouette(i), values={
                "ref": f"demo-{i + 1}", "name": name, "sex": "fm"[i % 2], "birth_date": born, "lost_at": lost,
                "region_code": region, "lost_place": "示例地点（虚构）", "features": "演示数据，并非真实儿童。",
                "hotline": "110", "expires_on": today + datetime.timedelta(days=365),
                "consent_by": "family", "consent_recorded_by": "示例社工",
            })
        missing.site_register(owner=self.donor, domain="demo.example.org", region_code="510000", is_demo=True)

    def run(self):
        """In the order it happened: the organisations and projects 100 days ago, the gifts
        and the work over the months since, the relay two weeks ago, the giving day now."""
        self.clock.set(days=100)
        self.people()
        self.year = rational_demo.Year(self)
        self.year.start()  # the platform's cause funds a year ago; pledges and repeat gifts since
        self.clock.set(days=100)
        self.organisations()
        self.projects()
        self.activity()
        self.fulfilment()
        self.relay()
        self.community()
        self.giving_day()
        credibility.run(self)
        self.out(f"demo: volunteering: {volunteering_demo.load(self, volunteer=self.volunteer)}")
        self.out(sponsorship_demo.load(self))
        self.rational_year = self.year.finish()  # the last 100 days of monthly giving; the funds' grants
        self.clock.set(days=0)
        self.missing_children()
        self.crisis()
        self.alliance()

    def alliance(self):
        self.out(f"demo: a partner platform with {alliance_demo.load()} giving days beside ours")

    def community(self):
        figures = community_demo.load(self, _user)
        self.out(f"demo: {figures['circles']} circles, {figures['teams']} teams on the warm packs")

    def crisis(self):
        self.out(f"demo: crisis queue with {crisis_demo.load(staff=self.staff, responder=self.responder)} open cases")


def load_demo(*, gifts: int = 500, out=print) -> bool:
    """Build the demo once. Returns False when it is already there."""
    if not (settings.JUSHA_DEMO and settings.DEBUG):
        raise DemoRefused("Demo data is loaded only with JUSHA_DEMO=1 and DEBUG on.")
    if get_user_model().objects.filter(email=LOGINS["staff"]).exists():
        return False
    demo = Demo(gifts=gifts, out=out)
    # One transaction: a half-loaded demo never stays behind. Its after-commit work
    # (receipt emails, "funded" checks) is queued for the worker when it commits.
    # The demo's clock stands in for timezone.now() while it is built (every model's
    # created_at, every service's "now" reads it), so the demo tells one dated story.
    # Its paid gifts are settled as they are paid (giving.settle's own code, inline): the
    # story goes on from a settled month (a sponsorship active once its first month is
    # settled, a fund granting from matched totals), where the running platform's worker
    # would settle them a moment later.
    inline = override_settings(JUSHA_SETTLE={**settings.JUSHA_SETTLE, "inline": True})
    with inline, transaction.atomic(), mock.patch.object(timezone, "now", demo.clock.now):
        demo.run()
    out(f"demo: {Organisation.objects.count()} organisations, {Project.objects.filter(pooled=False).count()} projects, {demo.gifts} gifts")
    year = demo.rational_year
    out(f"demo: {year['funds']} cause funds, {year['pledges']} monthly pledges, {year['gifts']} gifts over a year")
    return True
