"""The demo platform (JUSHA_DEMO=1 only), built through the same services users go through:
organisations verified by staff, projects reviewed and published, gifts paid through the
sandbox provider's signed notifications, expenditures with vouchers, progress updates.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jusha.core.client import ClientContext
from jusha.core.money import Money
from jusha.demo import crisis as crisis_demo
from jusha.demo import images
from jusha.giving.services import donation_open, donation_refund, project_accepting
from jusha.ledger.services import expenditure_record
from jusha.organisations.models import Membership
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

PASSWORD = "jusha-demo"
LOGINS = {
    "staff": "staff@demo.jusha",
    "owner": "owner@demo.jusha",
    "finance": "finance@demo.jusha",
    "editor": "editor@demo.jusha",
    "donor": "donor@demo.jusha",
    "responder": "responder@demo.jusha",
}

NAMES = ["小雨", "阿杰", "山里来的风", "晴天", "陈老师", "一颗糖", "李阿姨", "老周", "木木", "星星", "大鹏", "小鹿", "Amy", "向日葵", "王同学"]
MESSAGES = ["愿老人家冬天温暖", "一点心意", "加油！", "聚沙成塔", "转给朋友们一起捐", "", "", "", "希望孩子们开心", "冬天快乐"]


class DemoRefused(Exception):
    pass


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
    def __init__(self, *, gifts: int = 500, seed: int = 99, out=print):
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
                beneficiaries=0, publish=True, slug=""):
        project = project_create(
            organisation=org, actor=actor, title=title, summary=summary, story=story, cause=cause,
            region_code=region, goal=_yuan(goal_yuan), ends_at=timezone.now() + datetime.timedelta(days=days),
            beneficiary_count=beneficiaries, unit_name=unit[0], unit_cost=_yuan(unit[1]) if unit[1] else None,
            shortfall_rule=shortfall, overflow_rule=overflow,
            budget_lines=[(t, _yuan(y)) for t, y in lines], cover=images.cover(seed, palette), slug_hint=slug,
        )
        project_transition(project=project, target="in_review", actor=actor)
        if publish:
            project_transition(project=project, target="fundraising", actor=self.staff, reason="资料齐全，准予上线")
        return Project.objects.get(pk=project.pk)

    def projects(self):
        story = (
            "<p>在四川巴中通江县的大山里，许多老人独自生活，子女在外打工。冬天山里气温常在零度以下，"
            "一件厚棉衣、一双棉鞋、一床电热毯，就是一个温暖的冬天。</p>"
            "<p>每个<strong>温暖包</strong>价值 200 元，包含棉衣、棉鞋、帽子、手套和电热毯，"
            "由当地志愿者逐户送到老人手中，并拍照公示（仅在老人同意时）。</p>"
            "<ul><li>每一笔捐款都在公开账本上</li><li>每一批采购都有发票凭证</li><li>每一次发放都会公示</li></ul>"
        )
        self.warm = self.project(
            org=self.org_elders, actor=self.editor, title="老有所衣：为独居老人送温暖包", slug="warm-packs-for-elders",
            summary="200 元一个温暖包，让大山里的独居老人暖暖过冬。", story=story, cause="elders",
            region="511921", goal_yuan=50_000, unit=("温暖包", 200), beneficiaries=250, seed=1,
            lines=[("温暖包采购（250 个 × 180 元）", 45_000), ("物流与入户发放", 3_500), ("执行与公示", 1_500)],
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
    def give(self, project, amount: Money, *, donor=None, via=None):
        """One gift through the sandbox; `via`: (share link, visitor) it came through."""
        rng = self.rng
        anonymous = rng.random() < 0.2
        name = "" if anonymous or donor else rng.choice(NAMES)
        donation, _token = donation_open(
            project=project, amount=amount, client=ClientContext(), donor=donor, anonymous=anonymous, name=name,
            message=rng.choice(MESSAGES), email="" if donor else (f"guest{self.gifts}@example.org" if rng.random() < 0.05 else ""),
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

    def gifts_to(self, project, count: int, *, fill: bool = False) -> None:
        for i in range(count):
            self.give(project, self.amount(), donor=self.donor if i % 40 == 0 else None)
        if fill:
            while True:
                left = project.goal_money - Money(project_sums([project.pk])[project.pk].raised, project.currency)
                if left.amount <= 0:
                    break
                self.give(project, min(left, self.amount()))
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
            spent_on=timezone.localdate() - datetime.timedelta(days=self.rng.randint(1, 20)), voucher=voucher,
            actor=self.finance if project.organisation_id == self.org_elders.pk else project.organisation.memberships.get(role="owner").user,
        )

    def update(self, project, actor, title: str, body: str, photos: int = 1):
        update_post(project=project, actor=actor, title=title, body=body,
                    photos=[images.photo(self.rng.randint(0, 10**6)) for _ in range(photos)])

    def activity(self):
        budget = self.gift_budget
        self.gifts_to(self.hearing, 0, fill=True)
        self.gifts_to(self.trees, 0, fill=True)
        self.gifts_to(self.books, 0, fill=True)
        spent_so_far = self.gifts
        self.gifts_to(self.warm, max(0, int((budget - spent_so_far) * 0.62)))
        self.gifts_to(self.uniforms, max(0, budget - self.gifts))

        # Reading corners: funded, now executing, with spending and an update.
        self.books.refresh_from_db()
        project_transition(project=self.books, target="executing", actor=self.owner_kids)
        self.spend(self.books, 0, 2_250, "首批 5 个图书角：书架与图书", "GZ-2026-0107", pdf=True)
        self.update(self.books, self.owner_kids, "首批 5 个图书角已建成", "<p>孩子们第一次有了自己的图书角。</p>", photos=2)

        # Trees: funded, planted, completed with a final report.
        self.trees.refresh_from_db()
        project_transition(project=self.trees, target="executing", actor=self.owner_green)
        self.spend(self.trees, 0, 1_800, "侧柏树苗 1000 棵", "GS-2026-0311")
        self.spend(self.trees, 1, 900, "栽种人工 30 人日", "GS-2026-0312")
        self.update(self.trees, self.owner_green, "1000 棵侧柏已种下", "<p>春季栽种完成，成活率 92%。</p>", photos=2)
        project_transition(project=self.trees, target="completed", actor=self.owner_green,
                           final_report="<p>共种植侧柏 1000 棵，支出 2,700 元，余 300 元用于后续养护（见账本）。</p>")

        # Warm packs: first purchase and delivery disclosed, updates, one refund.
        self.spend(self.warm, 0, 7_200, "首批温暖包 40 个（棉衣、棉鞋、电热毯）", "SC-2026-1102")
        self.spend(self.warm, 1, 600, "首批入户发放交通费", "SC-2026-1105", pdf=True)
        self.update(self.warm, self.editor, "首批 40 个温暖包已送到老人家中",
                    "<p>11 月 5 日，志愿者走访通江县 3 个村，为 40 位独居老人送去温暖包。</p>", photos=3)
        self.update(self.warm, self.editor, "采购完成", "<p>首批温暖包已完成采购，发票见公开账本。</p>")
        paid = self.warm.donations.filter(status="paid", amount__gte=2000).order_by("paid_at").first()
        if paid is not None:
            donation_refund(donation=paid, amount=Money(1000, "CNY"), reason="捐赠人误操作，申请退回部分金额", actor=self.finance)

    # --- delivery batches (jusha.fulfilment) ---------------------------------------------
    def fulfilment(self):
        """Warm packs go out in batches of 20 (4,000 yuan): five batches, one at each stage,
        with delivery confirmations, and one batch late. The demo happens in one moment, so
        afterwards each batch's steps are spread over the past weeks, for a timeline that
        reads like a real one (the journal keeps its true times)."""
        warm = Project.objects.get(pk=self.warm.pk)
        services.batch_plan_set(project=warm, batch_size=20, actor=self.editor)
        while project_available(warm) < warm.unit_cost_money.times(5 * 20):  # companies' teams give the rest
            self.give(warm, self.rng.choice([_yuan(200), _yuan(500), _yuan(1_000)]))
        line = warm.budget_lines.order_by("position").first()
        stamps = {"created": "created_at", **services.STAMPS}
        # Per batch: days ago it was funded, purchased, shipped, delivered, disclosed; deliveries.
        stages = [(45, 42, 39, 33, 30, 20), (30, 27, 10, 3, None, 20), (25, 22, 20, None, None, 8),
                  (6, 2, None, None, None, 0), (1, None, None, None, None, 0)]
        for batch, (*days, deliveries) in zip(services.batches_create_due(project_id=warm.pk), stages):
            if days[1] is not None:
                invoice = f"SC-2026-2{batch.number:03d}"
                batch = services.batch_purchase(
                    batch=batch, actor=self.finance, budget_line=line, amount=_yuan(180).times(20),
                    description=f"第 {batch.number} 批温暖包 20 个（棉衣、棉鞋、电热毯）", spent_on=timezone.localdate(),
                    invoice=images.voucher(invoice, _yuan(180).times(20)),
                )  # 180 yuan a pack: the other 20 of each 200 go back to the fund for delivery costs
            if days[2] is not None:
                batch = services.batch_ship(batch=batch, actor=self.editor, carrier="中国邮政 EMS",
                                            tracking_number=f"EMS{self.rng.randint(10**9, 10**10 - 1)}CN")
            for i in range(1, deliveries + 1):
                photo = i % 3 == 1  # a photo only where the elder agreed
                services.delivery_confirm(
                    project=warm, batch=batch, actor=self.editor, recipient=f"长者{batch.number}-{i:02d}",
                    county_code=warm.region_code, delivered_at=timezone.now(), deliverer="通江县志愿者队",
                    signature=images.signature(batch.number * 100 + i),
                    photo=images.photo(batch.number * 100 + i) if photo else None,
                    photo_consent=photo, others_consented=photo,
                )
            if days[4] is not None:
                services.batch_disclose(batch=batch, actor=self.editor, note="20 个温暖包全部送到老人家中，签收单由机构存档备查。")
            # Spread the steps over the past weeks (the last confirmation delivered batches 1 and 2).
            now = timezone.now()
            fields = ["funded_at", "purchased_at", "shipped_at", "delivered_at", "disclosed_at"]
            at = {f: now - datetime.timedelta(days=d, hours=self.rng.randint(0, 8))
                  for f, d in zip(fields, days) if d is not None}
            at["created_at"] = at["funded_at"] + datetime.timedelta(seconds=self.rng.randint(2, 9))
            status = Batch.objects.values_list("status", flat=True).get(pk=batch.pk)
            Batch.objects.filter(pk=batch.pk).update(status_changed_at=at[stamps[status]], **at)
            for pk, target in StatusChange.objects.filter(batch=batch).values_list("pk", "target"):
                StatusChange.objects.filter(pk=pk).update(created_at=at[stamps[target]])
            if deliveries:
                start, end = at["shipped_at"], at.get("delivered_at", now)
                for i, pk in enumerate(DeliveryConfirmation.objects.filter(batch=batch).values_list("pk", flat=True)):
                    when = start + (end - start) * (i + 1) / (deliveries + 1)
                    DeliveryConfirmation.objects.filter(pk=pk).update(delivered_at=when)
        services.batches_flag_overdue()  # batch 3 has been on its way for 20 days: late

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
        now = timezone.now()
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

    def run(self):
        self.people()
        self.organisations()
        self.projects()
        self.activity()
        self.relay()
        self.fulfilment()
        self.giving_day()
        self.crisis()

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
    with transaction.atomic():
        demo.run()
    out(f"demo: 3 organisations, 6 projects, {demo.gifts} gifts")
    return True
