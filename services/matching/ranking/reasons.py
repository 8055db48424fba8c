"""Reasons in short, plain Chinese that a staff member can read out on the phone, and the shortfall texts."""

from __future__ import annotations

from functools import lru_cache

from services.matching.ranking.relevance import (
    DESIRED,
    GROUP_DESIRED,
    GROUP_SKILL,
    SKILL,
    TEXT,
    TEXT_SKILL,
    TITLE_DESIRED,
    TITLE_SKILL,
    WELFARE,
)

PLACED = "已就业，不再推荐岗位"
WELFARE_FIRST = "公益性岗位，优先安排"
WELFARE_NO_FIT = "附近暂无对口岗位，推荐公益性岗位"
WORKSHOP_NEAR = "就业扶贫车间，离家近"
# What each rung of the relaxation ladder gave up, as the `relaxed` names and as a reason.
RELAXED = {
    1: (("occupation",), "放宽：工种相近，不完全对口"),
    2: (("occupation",), "放宽：工种不对口，体力能胜任"),
    3: (("occupation", "labor_capacity"), "放宽：工种不对口"),
}
CONSTRAINT_WORDS = {"age": "年龄不符", "gender": "性别要求不符", "reach": "超出外出范围"}


# Which kind of fit, in the words a clerk reads out: what the worker wants (想做) or can do (会), and whether the post
# is that very job, another job of the same kind (同类工种) or only written alike (相近岗位).
_FIT_WORDS = {
    DESIRED: ("想做", ""), TITLE_DESIRED: ("想做", ""), GROUP_DESIRED: ("想做", "（同类工种）"),
    TEXT: ("想做", "（相近岗位）"),
    SKILL: ("会", ""), TITLE_SKILL: ("会", ""), GROUP_SKILL: ("会", "（同类工种）"), TEXT_SKILL: ("会", "（相近岗位）"),
}


def fit_reason(kind: int, word: str, job: str | None) -> str:
    """Why a post fits, naming the worker's own word: "想做：月嫂", "会：开车（同类工种）"."""
    if kind == WELFARE:
        return WELFARE_FIRST
    verb, note = _FIT_WORDS.get(kind, ("", ""))
    return f"{verb}：{word}{note}" if verb else ""


@lru_cache(maxsize=1 << 16)
def distance_reason(km: float) -> str:
    """How far from home, as said to the worker (cached: a batch says it of a million offers, to 0.1 km)."""
    return "离家不到1公里" if km < 1 else f"离家{km:.0f}公里"


def board_reason(meals: bool, lodging: bool) -> str | None:
    if meals and lodging:
        return "包吃住"
    if lodging:
        return "包住"
    if meals:
        return "包吃"
    return None


def wage_text(wage_min: int, wage_max: int) -> str:
    return f"月薪{wage_min}元" if wage_max <= wage_min else f"月薪{wage_min}–{wage_max}元"


# What the wage is against the worker's expectation, by verdict: above, at, reachable within the range, below;
# nothing when the worker named no figure.
WAGE_VERDICTS = ("，高于期望", "，达到期望", "，可达期望", "，低于期望", "")


def wage_reason(wage_min: int, wage_max: int, expected: int | None) -> str:
    text = wage_text(wage_min, wage_max)
    if not expected:
        return text
    if wage_min >= expected:
        return f"{text}，高于期望" if wage_min > expected else f"{text}，达到期望"
    if wage_max >= expected:
        return f"{text}，可达期望"
    return f"{text}，低于期望"


def shortfall_reason(*, found: int, intention: str, near_home_km: float, blocker: str | None) -> str:
    """Why fewer than three: how many there are within the worker's reach, and what kept the others out."""
    if intention == "none":
        text = "不愿外出，就近暂无合适岗位" if found == 0 else f"不愿外出，就近仅有{found}个岗位"
        return text + "（不在保障范围）"
    scope = {"near_home": f"{near_home_km:.0f}公里内", "league": "盟内"}.get(intention, "")
    text = f"{scope}符合条件的岗位暂无" if found == 0 else f"{scope}符合条件的岗位仅有{found}个"
    return f"{text}；{blocker}" if blocker else text


def blocker_reason(name: str, count: int, detail: str | None = None) -> str:
    if name == "certificate":
        return f"另有{count}个对口岗位要求{detail or '证书'}"
    return f"另有{count}个对口岗位{CONSTRAINT_WORDS.get(name, '条件不符')}"
