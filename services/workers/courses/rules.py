"""Who may take a seat on a course and whether it counts as subsidised training: pure rules over plain data.

The plan: vocational training is subsidised when it runs at least 56 class hours; "建档立卡女性贫困人口参加家庭服务职业
技能培训，享受培训补贴的年龄放宽到55周岁" — women of registered poor households keep the subsidy for household-service
training up to the age of 55. "Relaxed to 55" presumes a lower age otherwise: the statutory working age, up to 50 for
women and 60 for men. Ages are whole years on the day the course starts and the limits include the year named
(a woman of 55 is covered, one of 56 is not). Men keep their own limit on every course: the relaxation is for women.
Everyone on the platform is a registered poor labourer, so the household test is passed by being registered.

A course of fewer than 56 hours may be held and taken, but a seat on it is not subsidised training (and the age
limits, which are the subsidy's, do not apply to it). On a course of 56 hours or more the subsidy is what pays for
the seat, so a worker outside its age limit is refused a seat.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from services.workers.profiles.idcard import age_on
from services.workers.training.models import SUBSIDISED_HOURS
from shared.reference.occupations import get_detailed_occupation, get_occupation

# The household-service (家庭服务) occupations: small group 4-10-01 生活照料服务人员 (家政服务员, 育婴, 保育, 养老护理员,
# 孤残儿童护理员, 家政服务经理人) and, of 4-14-01, the hospital carer 医疗护理员 (病患陪护), a household-service trade
# that the classification files under health services. The rest of 4-14-01 (clinical aides, respiratory therapists)
# and public cleaning (4-09-08) are not household service.
HOUSEHOLD_SERVICE = ("4-10-01", "4-14-01-02")

SUBSIDY_AGE_LIMIT = {"female": 50, "male": 60}
HOUSEHOLD_SERVICE_WOMEN_AGE_LIMIT = 55


@dataclass(frozen=True)
class CourseTerms:
    hours: int
    start_on: date
    end_on: date
    seats: int
    taken: int
    household_service: bool


@dataclass(frozen=True)
class Trainee:
    gender: str
    birth_date: date


@dataclass(frozen=True)
class Assessment:
    """Why a seat is refused (empty: it may be taken), whether it is subsidised training, and what to tell staff."""

    refusals: tuple[str, ...]
    subsidised: bool
    notes: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def occupation_name(code: str) -> str | None:
    """The name of a small group ("4-10-01") or detailed occupation ("4-10-01-06"); None for anything else."""
    group = get_occupation(code)
    if group is not None and group.level == "small" and code == group.code:
        return group.name
    detailed = get_detailed_occupation(code)
    return detailed.name if detailed is not None else None


def is_household_service(occupation_code: str) -> bool:
    return any(occupation_code == code or occupation_code.startswith(code + "-") for code in HOUSEHOLD_SERVICE)


def is_subsidised(hours: int) -> bool:
    return hours >= SUBSIDISED_HOURS


def age_limit(gender: str, *, household_service: bool) -> int:
    """The oldest age (in whole years at the course's start) at which the subsidy pays for a seat."""
    if gender == "female" and household_service:
        return HOUSEHOLD_SERVICE_WOMEN_AGE_LIMIT
    return SUBSIDY_AGE_LIMIT.get(gender, SUBSIDY_AGE_LIMIT["male"])


def open_for_enrolment(course: CourseTerms, today: date) -> bool:
    """Not yet begun, with a seat left."""
    return today < course.start_on and course.taken < course.seats


def _age_refusal(course: CourseTerms, trainee: Trainee) -> str | None:
    age = age_on(trainee.birth_date, course.start_on)
    limit = age_limit(trainee.gender, household_service=course.household_service)
    if age <= limit:
        return None
    if trainee.gender == "female" and course.household_service:
        return f"家政服务培训补贴只到{limit}周岁，开课时她已{age}周岁"
    if trainee.gender == "female":
        return (f"女性参加补贴培训只到{limit}周岁（家政服务培训到{HOUSEHOLD_SERVICE_WOMEN_AGE_LIMIT}周岁），"
                f"开课时她已{age}周岁")
    return f"参加补贴培训只到{limit}周岁，开课时他已{age}周岁"


def subsidy_notes(course: CourseTerms, trainee: Trainee) -> tuple[str, ...]:
    """What a seat means for the subsidy, for staff to read: a short course, or the household-service age rule."""
    if not is_subsidised(course.hours):
        return (f"本课程{course.hours}学时，不足{SUBSIDISED_HOURS}学时，可以参加，但不算补贴培训",)
    age = age_on(trainee.birth_date, course.start_on)
    if (course.household_service and trainee.gender == "female"
            and SUBSIDY_AGE_LIMIT["female"] < age <= HOUSEHOLD_SERVICE_WOMEN_AGE_LIMIT):
        return (f"建档立卡女性参加家政服务培训，补贴年龄放宽到{HOUSEHOLD_SERVICE_WOMEN_AGE_LIMIT}周岁",)
    return ()


def assess(course: CourseTerms, trainee: Trainee, *, today: date) -> Assessment:
    """May the worker take a seat on the course today, and would it be subsidised training?"""
    refusals: list[str] = []
    if today > course.end_on:
        refusals.append(f"课程已于{course.end_on.isoformat()}结束，不能再报名")
    elif today >= course.start_on:
        refusals.append(f"课程已于{course.start_on.isoformat()}开课，不能再报名")
    if course.taken >= course.seats:
        refusals.append(f"名额已满（共{course.seats}个）")
    subsidised = is_subsidised(course.hours)
    if subsidised and (refusal := _age_refusal(course, trainee)) is not None:
        refusals.append(refusal)
    return Assessment(refusals=tuple(refusals), subsidised=subsidised and not refusals,
                      notes=subsidy_notes(course, trainee))


_LEVEL_NOTE = re.compile(r"[（(【\[](?:初级|中级|高级|技师|高级技师|[一二三四五]级)[）)】\]]")
_NOT_NAME = re.compile(r"[\s（）()【】\[\]〔〕<>《》·・\-_/]+")


def certificate_key(name: str) -> str:
    """A certificate's name read lightly as a key: full-width folded, lower case, no level note, brackets or space
    ('育婴员证（初级）', ' 育婴员证 ' -> '育婴员证'; '驾驶证(B2)' -> '驾驶证b2')."""
    text = unicodedata.normalize("NFKC", name).lower()
    return _NOT_NAME.sub("", _LEVEL_NOTE.sub("", text))
