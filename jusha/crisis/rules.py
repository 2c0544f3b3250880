"""The rule layer: a level 0–10 from phrases alone, with the reasons, no model needed.

Pure functions over normalised text (`normalise.normalise`). The same rules feed the trained
model as features (`features`), so a trained model still sees methods, plans and dates.
The scale (tree-hole rescue): 0 everyday low mood … 4 wish to die without a plan … 6 planning
… 7 method decided … 9 likely within days … 10 possibly in progress.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# name: (level it implies alone, pattern). Written for this project from the scale's words.
RULES: dict[str, tuple[int, str]] = {
    "low_mood": (2, r"抑郁|难受|痛苦|绝望|崩溃|好累|撑不住|熬不下去|失眠|没意义|好丧"),
    "self_harm": (5, r"自残|划手|割手|伤害自己|打自己|撞墙"),
    "wish": (4, r"想死|不想活|活着没意思|活不下去|不想再活|想自杀|自杀|结束(自己的?)?生命|离开这个世界|解脱|去死|死了算了|一死了之|轻生"),
    "method": (7, r"安眠药|安定片|药(都|已经)?(买|攒|囤|备)好?|跳楼|跳河|跳江|跳海|烧炭|上吊|割腕|农药|百草枯|刀片|绳子|煤气|卧轨|天台|楼顶|吞药|吃药死|跳下去"),
    "plan": (6, r"计划|打算|准备好|决定了|想好了|遗书|遗言|后事|安排好"),
    "date": (0, r"今晚|今天晚上|今天|明天|后天|这周|周末|下周|过年前|生日那天|\d{1,2}号|月底|这个月|凌晨"),
    "farewell": (7, r"永别|再见了|再也不见|来世|下辈子|谢谢大家|对不起大家|别了|最后一次|最后一条|走了啊|先走了"),
    "give_away": (7, r"把.{0,8}(送|留)给|留给(你|妈|爸|家)|遗物|东西都(送|处理)"),
    "together": (7, r"一起(去)?死|约(个)?(死|自杀)|有没有人一起|有人一起|组队|一起走"),
    "in_progress": (10, r"已经(吃|吞|割|喝|跳)了|正在(吃|割|跳|喝)|吃了.{0,4}(片|颗|瓶)|(站|坐)在(楼顶|天台|桥上)|血(流|止不住)|药效"),
}
NEGATION = re.compile(r"(不|没有?|别|不会|不敢|舍不得)(想|要|会|敢|去)?.{0,2}(死|自杀|轻生)|不想再想死")
HEARSAY = re.compile(r"听说|新闻|报道|电视剧|小说|电影|朋友(说|他|她)|(他|她)(说|想|要)")
FIRST_PERSON = re.compile(r"我")
CLAUSE = re.compile(r"[。！？!?；;，,\n…~～]+")
COMPILED = {name: (level, re.compile(pattern)) for name, (level, pattern) in RULES.items()}
ACUTE = ("wish", "method", "plan", "together", "farewell", "give_away")


@dataclass
class RuleResult:
    level: int
    hits: dict[str, list[str]] = field(default_factory=dict)  # rule → the phrases that matched
    negated: bool = False
    hearsay: bool = False

    @property
    def reasons(self) -> list[str]:
        out = [f"{name}: {'、'.join(sorted(set(phrases)))}" for name, phrases in self.hits.items()]
        if self.negated:
            out.append("negation")
        if self.hearsay:
            out.append("hearsay")
        return out


def evaluate(text: str) -> RuleResult:
    """The rules' level and the phrases behind it, for normalised text."""
    hits: dict[str, list[str]] = {}
    negated = False
    for clause in CLAUSE.split(text):
        if not clause:
            continue
        clause_negated = bool(NEGATION.search(clause))
        negated = negated or clause_negated
        for name, (_, pattern) in COMPILED.items():
            if clause_negated and name == "wish":
                continue
            found = pattern.findall(clause)
            if found:
                phrases = [m if isinstance(m, str) else "" for m in found]
                hits.setdefault(name, []).extend(p for p in (pattern.search(clause).group(0),) + tuple(phrases) if p)
    level = max((COMPILED[name][0] for name in hits), default=0)
    if level == 0 and negated:
        level = 1
    acute = [name for name in ACUTE if name in hits]
    if "method" in hits and ("plan" in hits or "date" in hits):
        level = max(level, 8)
    if "date" in hits and len(acute) >= 2:
        level = max(level, 9)
    if "farewell" in hits and ("method" in hits or "give_away" in hits):
        level = max(level, 9)
    hearsay = bool(HEARSAY.search(text)) and not FIRST_PERSON.search(text)
    if hearsay and level > 3:
        level = 3
    return RuleResult(level=min(level, 10), hits=hits, negated=negated, hearsay=hearsay)


FEATURE_NAMES = [*RULES, "negated", "hearsay", "first_person", *(f"level_{n}" for n in range(11))]


def features(text: str) -> list[float]:
    """The rule layer as a dense feature row for the trained model."""
    result = evaluate(text)
    row = [1.0 if name in result.hits else 0.0 for name in RULES]
    row += [float(result.negated), float(result.hearsay), 1.0 if "我" in text else 0.0]
    row += [1.0 if result.level == n else 0.0 for n in range(11)]
    return row


# The rules' probability that a post is high risk, by rule level (their own guess, before any
# training; a trained model replaces it with a calibrated one).
RULE_P_HIGH = [0.05, 0.08, 0.15, 0.2, 0.35, 0.5, 0.65, 0.75, 0.85, 0.92, 0.97]
