"""The demo's community: a circle per demo cause and one for Sichuan, two teams (一起捐) on
the warm packs with gifts through them, friends of the demo donor who give (one shows it,
three do not: "3 friends supported this"), posts, a gathering and the donor's feed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.community import circle_services, rules, services
from jusha.community.models import MemberSettings
from jusha.core.money import Money
from jusha.projects.models import Project

FRIENDS = [("xiaoyu@demo.jusha", "小雨", True), ("ajie@demo.jusha", "阿杰", False), ("chen@demo.jusha", "陈老师", False),
           ("lixiang@demo.jusha", "李想", False)]
DESCRIPTIONS = {
    "elders": "关心独居老人的朋友们：一起捐温暖包，周末一起去敬老院。",
    "children": "关注留守儿童的成长与陪伴。",
    "education": "图书角、支教与助学。",
    "environment": "种树、护河与垃圾分类。",
    "health": "助听器、义诊与健康知识。",
    "animals": "流浪动物的救助与领养。",
}


def load(demo, user) -> dict:
    """`demo`: the loader's Demo (its clock, people, projects and `give`); `user(email, display_name=)`."""
    clock = demo.clock
    clock.set(days=14)
    circles = {}
    for cause in sorted(set(Project.objects.values_list("cause", flat=True))):
        circles[cause] = circle_services.circle_create(kind="cause", cause=cause, actor=demo.staff,
                                                       description=DESCRIPTIONS.get(cause, ""))
    sichuan = circle_services.circle_create(kind="region", region="510000", name="四川公益圈", actor=demo.staff,
                                            description="在四川的朋友：身边的项目，身边的人。")
    friends = [user(email, display_name=name) for email, name, _shows in FRIENDS]
    for friend, (_email, _name, shows) in zip(friends, FRIENDS):
        MemberSettings.objects.create(user=friend, show_gifts_to_friends=shows)
        services.follow_start(actor=demo.donor, source=rules.key(rules.PERSON, friend.pk))
        services.follow_start(actor=friend, source=rules.key(rules.PERSON, demo.donor.pk))
    elders = circles["elders"]
    for member in [demo.donor, *friends]:
        circle_services.circle_join(circle=elders, actor=member)
    circle_services.circle_join(circle=sichuan, actor=demo.donor)
    circle_services.circle_join(circle=sichuan, actor=friends[0])
    circle_services.circle_organiser_set(circle=elders, user=friends[2], actor=demo.staff)
    services.follow_start(actor=demo.donor, source=rules.key(rules.ORGANISATION, demo.org_elders.pk))
    services.follow_start(actor=demo.donor, source=rules.key(rules.CIRCLE, elders.pk))
    services.follow_start(actor=demo.donor, source=rules.key(rules.CIRCLE, sichuan.pk))

    warm = Project.objects.get(pk=demo.warm.pk)
    clock.set(days=12)
    ours = services.team_create(project=warm, name="热心捐赠人的暖冬小队", goal=500_000, actor=demo.donor,
                                story="我们几个老同学约好了：今年冬天，一起给通江县的独居老人送 25 个温暖包。")
    theirs = services.team_create(project=warm, name="小雨和同事们", goal=300_000, actor=friends[0],
                                  story="公司楼下的咖啡少喝两杯，就是一个温暖包。")
    for friend in friends[1:3]:
        services.team_join(team=ours, actor=friend)
    services.team_join(team=theirs, actor=friends[3])
    for i, at in enumerate(clock.spread(14, start=11, end=2)):
        team = ours if i % 3 else theirs
        donor = friends[(i // 2) % 4] if i % 2 == 0 else None
        demo.give(warm, Money.whole([50, 100, 200, 200, 500][i % 5]), donor=donor, at=at, context={"team": team.slug})
    clock.set(days=6)
    services.team_update_post(team=ours, actor=demo.donor, body="第一周就过了三成！谢谢每一位，转发给你的朋友吧。")
    services.team_update_post(team=theirs, actor=friends[0], body="同事们太给力了，周五午饭时间又多了 5 个温暖包。")
    clock.set(days=5)
    circle_services.post_create(circle=elders, actor=friends[1], body="有人知道成都附近哪家敬老院欢迎周末去探访吗？")
    circle_services.post_create(circle=elders, actor=friends[3], body="分享一个小经验：给老人送东西前先打电话问问需要什么。")
    circle_services.post_create(circle=sichuan, actor=friends[0], body="通江县的温暖包项目已经送出两批了，照片在项目页。")
    clock.set(days=1)
    circle_services.gathering_create(circle=elders, actor=friends[2], title="周六一起去敬老院陪老人聊天",
                                     place="成都市武侯区某社区敬老院（报名后告知地址）", region="510107",
                                     starts_at=timezone.now() + datetime.timedelta(days=6, hours=3), capacity=12,
                                     description="带上耐心和笑容；会有志愿者带队。")
    return {"circles": len(circles) + 1, "teams": 2}
