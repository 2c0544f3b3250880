"""The demo's crisis queue: invented posts, written for the demo (never from any real data
set), from a demo source, scored by whatever model is configured (the rules out of the box)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from jusha.crisis import services

# (author, minutes ago, text): all invented.
POSTS = [
    ("夜行的猫", 5, "药已经攒好了，今晚就吃，谢谢大家这些年的照顾"),
    ("夜行的猫", 40, "活着没意思，真的撑不住了"),
    ("蓝色气球", 8, "我已经站在天台上了，风好大"),
    ("小满", 12, "遗书写好了，明天就是最后一天"),
    ("小满", 300, "最近失眠好几天了"),
    ("雨后青苔", 20, "有没有人一起走，约在周末"),
    ("北方的树", 25, "我把吉他和书都送给室友了，以后用不上了"),
    ("一只鲸", 30, "想好了，打算下周去江边"),
    ("晚风", 35, "不想活了，好累"),
    ("晚风", 90, "每天都好痛苦，没人懂我"),
    ("柚子", 45, "活着没意思，想离开这个世界"),
    ("阿木", 50, "想死，但是又怕疼"),
    ("橘子汽水", 55, "割腕的时候会不会很疼"),
    ("十一", 60, "我不想死，我只是好累，想睡一觉"),
    ("听海", 65, "听说有人跳楼了，新闻里说的，好难过"),
    ("十二月", 70, "又被骂了，心情不好"),
    ("糖糖", 75, "考试又挂了，好想哭"),
    ("南风", 80, "一个人好孤独，周末也没人说话"),
    ("星星", 85, "今天天气真好，去吃了火锅"),
    ("路人甲", 95, "工作做不完，好累啊"),
    ("青柠", 100, "永别了，下辈子再见"),
    ("青柠", 130, "东西都处理掉了"),
    ("小鹿", 110, "安眠药买好了，就等今晚"),
    ("木子", 120, "好丧，什么都不想做"),
    ("白开水", 140, "崩溃了，熬不下去了"),
    ("山茶", 150, "我想自杀，但还没想好怎么做"),
    ("老周", 160, "抑郁症复发了，又开始吃药"),
    ("月亮", 170, "猫好可爱，晚安"),
    ("海盐", 180, "刀片就放在桌上"),
    ("麦田", 190, "想结束自己的生命，已经计划好了"),
    ("草莓", 200, "最后一条微博，对不起大家"),
    ("风铃", 210, "失眠，难受"),
]


def load(*, staff, responder) -> int:
    services.role_grant(user=staff, role="supervisor", actor=staff)
    services.role_grant(user=responder, role="responder", actor=staff)
    services.duty_set(user=responder, on_duty=True, actor=responder)
    source, _key = services.source_create(name="演示树洞", keep_for_research=False, actor=staff)
    now = timezone.now()
    posts = [
        {"id": f"demo-{i}", "text": text, "author": author, "url": f"https://weibo.example/demo/{i}",
         "posted_at": (now - datetime.timedelta(minutes=minutes)).isoformat()}
        for i, (author, minutes, text) in enumerate(POSTS)
    ]
    return services.posts_ingest(source=source, posts=posts)["cases_opened"]
