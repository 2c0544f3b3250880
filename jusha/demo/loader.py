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

from jusha.demo import images
from jusha.giving.services import donation_create, donation_refund
from jusha.ledger.services import expenditure_record
from jusha.organisations.models import Membership
from jusha.organisations.services import organisation_create, organisation_submit, organisation_verify
from jusha.organisations.uscc import checksum_char
from jusha.payments.sandbox import SandboxProvider
from jusha.projects.models import Project
from jusha.projects.services import project_create, project_mark_funded_if_full, project_transition, update_post

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
    return user


def _fen(yuan: int) -> int:
    return yuan * 100


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
            region_code=region, goal=_fen(goal_yuan), ends_at=timezone.now() + datetime.timedelta(days=days),
            beneficiary_count=beneficiaries, unit_name=unit[0], unit_cost=_fen(unit[1]) if unit[1] else None,
            shortfall_rule=shortfall, overflow_rule=overflow,
            budget_lines=[(t, _fen(y)) for t, y in lines], cover=images.cover(seed, palette), slug_hint=slug,
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
    def give(self, project, amount: int, *, donor=None) -> None:
        rng = self.rng
        anonymous = rng.random() < 0.2
        name = "" if anonymous or donor else rng.choice(NAMES)
        donation, _token = donation_create(
            project=project, amount=amount, currency=project.currency, donor=donor, anonymous=anonymous, name=name,
            message=rng.choice(MESSAGES), email="" if donor else (f"guest{self.gifts}@example.org" if rng.random() < 0.05 else ""),
        )
        result = "failed" if rng.random() < 0.03 else "succeeded"
        SandboxProvider().complete(donation.intent_id, result)
        self.gifts += 1

    def amount(self) -> int:
        rng = self.rng
        if rng.random() < 0.75:
            return rng.choice([1000, 1000, 2000, 2000, 5000, 5000, 10000, 20000])
        return rng.randint(100, 20000)

    def gifts_to(self, project, count: int, *, fill: bool = False) -> None:
        from jusha.ledger.selectors import project_sums

        for i in range(count):
            self.give(project, self.amount(), donor=self.donor if i % 40 == 0 else None)
        if fill:
            while True:
                left = project.goal - project_sums([project.pk])[project.pk].raised
                if left <= 0:
                    break
                self.give(project, min(left, self.amount()))
            project_mark_funded_if_full(project_id=project.pk)

    def spend(self, project, line_index: int, yuan: int, description: str, number: str, *, pdf: bool = False):
        from jusha.ledger.selectors import project_available

        # A small demo (--gifts) raises less: spend what is there, never more.
        yuan = min(yuan, project_available(project) * 8 // 10 // 100)
        if yuan <= 0:
            return
        line = list(project.budget_lines.all())[line_index]
        voucher = images.pdf_voucher(number, _fen(yuan)) if pdf else images.voucher(number, _fen(yuan))
        expenditure_record(
            project=project, budget_line=line, amount=_fen(yuan), description=description,
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
            donation_refund(donation=paid, amount=1000, reason="捐赠人误操作，申请退回部分金额", actor=self.finance)

    def run(self):
        self.people()
        self.organisations()
        self.projects()
        self.activity()


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
