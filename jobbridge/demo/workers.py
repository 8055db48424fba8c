"""Deterministic demonstration data for the workers service: about 2,000 registered labourers of the League, the
placed ones placed in postings of the jobs service's demonstration data (jobs.py)."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobbridge.demo.jobs import Opening
from services.workers.placements import service as placements
from services.workers.placements.openings import Openings
from services.workers.profiles import service as profiles
from services.workers.profiles.idcard import age_on, make_id_number, parse_id_number
from services.workers.profiles.models import WorkerProfile
from services.workers.settings import WorkersSettings
from shared.auth import Principal
from shared.clock import Clock, local_today
from shared.pii import blind_index
from shared.reference.regions import Region, townships
from shared.reference.vocabulary import terms_for
from shared.reference.wages import minimum_wage

SEED = 1882  # the plan's 1,882 registered labourers to place by the end of 2019
COUNT = 2000

# Where the registered poor live: the four national poverty counties hold most of them (科右中旗 the most).
COUNTY_WEIGHTS = {"152222": 28, "152221": 24, "152223": 20, "152224": 18, "152201": 6, "152202": 4}
# Share of Mongolian names by county, roughly the Mongol share of the rural population.
MONGOL_SHARE = {"152222": 0.85, "152221": 0.45, "152201": 0.4, "152223": 0.3, "152224": 0.1, "152202": 0.1}

HAN_SURNAMES = "王王王李李李张张张刘刘赵赵孙于杨陈高马徐郭吴孟宋韩周曹崔姜董冯田任许"
HAN_GIVEN = {  # (older generation, younger generation): rural names change with the decade of birth
    "male": (("建国", "国强", "志刚", "春生", "德福", "金山", "永军", "宝林", "振华", "立军", "海军", "长青", "玉成",
              "凤山", "占武", "树林", "庆林", "福财", "海涛", "文学"),
             ("春雷", "晓东", "浩然", "宇航", "子轩", "海龙", "鹏飞", "鑫", "磊", "伟", "强", "亮", "刚", "勇", "洋",
              "博", "健", "超")),
    "female": (("秀英", "桂兰", "玉兰", "淑珍", "桂芝", "秀兰", "凤霞", "淑芬", "玉霞", "秀芳", "金凤", "春梅",
                "凤琴", "丽华", "玉珍"),
               ("丽娟", "海燕", "红梅", "晓燕", "艳华", "丽丽", "雪梅", "佳欣", "雨欣", "静", "敏", "娟", "艳", "丹",
                "婷", "慧", "萍")),
}
MONGOL_SURNAMES = "包包包白白宝鲍韩吴金佟"
MONGOL_GIVEN = {
    "male": ("白音", "乌力吉", "宝音", "巴特尔", "额尔敦", "那顺", "朝鲁", "孟和", "巴图", "苏和", "阿拉坦", "达来",
             "吉日嘎拉", "宝力道", "德力格尔", "巴雅尔", "胡日查", "图门", "毕力格", "特木尔", "满都拉", "布和"),
    "female": ("其其格", "萨仁", "乌云", "斯琴", "图雅", "娜仁", "高娃", "萨日娜", "塔娜", "乌兰", "托娅", "萨如拉",
               "阿茹娜", "苏日娜", "格日勒", "乌日娜", "其木格", "斯琴高娃"),
}

# Canonical jobs (common_jobs()) that the labourers of the area ask for, with weights by gender.
JOBS = {
    "female": {"家政服务员": 12, "保洁员": 12, "养老护理员": 8, "育婴员": 6, "餐厅服务员": 8, "厨工": 6, "普工": 8,
               "缝纫工": 6, "刺绣工": 6, "包装工": 5, "客房服务员": 4, "营业员": 4, "洗碗工": 3, "中式烹调师": 3,
               "收银员": 3, "畜禽饲养人员": 6, "农作物生产人员": 8, "绿化工": 3, "保育员": 2, "粮油加工工": 2},
    "male": {"建筑小工": 10, "砌筑工": 8, "焊工": 6, "驾驶员": 8, "保安员": 8, "装卸搬运工": 6, "快递员": 5, "普工": 8,
             "电工": 3, "木工": 3, "钢筋工": 3, "汽车维修工": 3, "工程机械操作工": 3, "农机手": 4, "畜禽饲养人员": 10,
             "农作物生产人员": 8, "中式烹调师": 3, "草原管护员": 3, "公路养护工": 3, "森林经营和管护人员": 2,
             "屠宰工": 2, "仓储人员": 3, "叉车工": 2},
}
FARM_SKILLS = ("种地", "种地", "种地", "放羊", "放牛", "养牛", "喂猪", "开拖拉机", "挤奶")
HOME_SKILLS = {"female": ("做饭", "做饭", "绣花", "看孩子", "照顾老人"), "male": ("做饭", "修车", "开车")}
# Certificates a labourer of a job may hold, and how often.
CERTIFICATES = {"焊工": (("焊工证", 0.5),), "驾驶员": (("驾驶证B2", 0.7),), "育婴员": (("育婴员证", 0.5), ("健康证", 0.4)),
                "保安员": (("保安员证", 0.4),), "电工": (("电工证", 0.6),), "家政服务员": (("健康证", 0.35),),
                "养老护理员": (("健康证", 0.35),), "中式烹调师": (("健康证", 0.5),), "厨工": (("健康证", 0.35),),
                "餐厅服务员": (("健康证", 0.35),), "保育员": (("健康证", 0.4),)}
INTENTIONS = {"none": 15, "near_home": 35, "league": 25, "anywhere": 25}
PHONE_PREFIXES = ("133", "139", "151", "186", "134", "135", "136", "137", "138", "150", "152", "157", "158", "159",
                  "182", "183", "187", "188", "130", "131", "132", "155", "156", "185", "153", "180", "189", "177")
_OPENID_CHARS = string.ascii_letters + string.digits + "-_"
PLACED_SHARE = 0.08


@dataclass(frozen=True)
class Destination:
    """Where placed labourers of the League went to work: a place (an adcode prefix), the trades they mostly took
    there, the wages they agreed, and how often organised labour export brought them. The postings themselves are
    the jobs service's (jobs.py); which one a labourer took is decided when both are loaded (`assign_postings`)."""

    area: str
    trades: tuple[str, ...]
    wage: tuple[int, int]
    export_share: float


BEIJING = (Destination("1101", ("家政服务员", "育婴员", "养老护理员"), (5000, 7500), 0.9),
           Destination("1101", ("保安员",), (4200, 6000), 0.85),
           Destination("1101", ("中式烹调师", "餐厅服务员"), (4000, 5500), 0.8),
           Destination("1101", ("仓储人员", "快递员", "装卸搬运工", "普工"), (5000, 7000), 0.8))
LEAGUE = (Destination("152201", ("保洁员", "保安员", "养老护理员"), (2600, 3600), 0.3),  # 乌兰浩特: property, care
          Destination("152201", ("砌筑工", "电工", "焊工", "驾驶员"), (3500, 5000), 0.4),  # 乌兰浩特: building sites
          Destination("152202", ("餐厅服务员", "中式烹调师", "保洁员"), (2800, 3800), 0.4))  # 阿尔山: tourism
# Near home: a public-welfare post or a poverty-alleviation workshop of the labourer's own banner.
NEAR_HOME_TRADES = ("草原管护员", "绿化工", "公路养护工", "缝纫工", "粮油加工工")
NEAR_HOME_WAGE = (2500, 3200)


@dataclass(frozen=True)
class JobTaken:
    """A placed labourer's job as the data set draws it: where and in which trades, on what terms, how long ago."""

    destination: Destination
    monthly_wage: int
    contract_months: int
    organised_export: bool
    days_ago: int


@dataclass(frozen=True)
class Labourer:
    fields: dict[str, Any]  # a registration body, as ProfileIn dumps it
    job: JobTaken | None  # placed: the job taken; the posting it was is chosen at load time


def labourers(count: int = COUNT, *, seed: int = SEED) -> list[Labourer]:
    """The data set, the same on every machine: pure, so it can be checked without a database."""
    rng = random.Random(seed)
    places = [(t, _township_weight(t) * COUNTY_WEIGHTS[t.county_code or ""] / _townships_in(t.county_code))
              for t in townships()]
    homes = rng.choices([t for t, _ in places], weights=[w for _, w in places], k=count)
    ids: set[str] = set()
    phones: set[str] = set()
    return [_labourer(rng, home, ids, phones) for home in homes]


def _labourer(rng: random.Random, home: Region, ids: set[str], phones: set[str]) -> Labourer:
    gender = "male" if rng.random() < 0.52 else "female"
    birth = _birth_date(rng)
    jobs = _pick_jobs(rng, gender)
    intention = rng.choices(list(INTENTIONS), weights=list(INTENTIONS.values()))[0]
    has_wechat = rng.random() < 0.35
    fields = {
        "name": _name(rng, gender, birth.year, home.county_code or ""),
        "id_number": _id_number(rng, home.county_code or "", birth, gender, ids),
        "phone": _phone(rng, phones), "home_region_code": home.code,
        "labor_capacity": _capacity(rng, birth.year), "education": _education(rng, birth.year),
        "skills": _skills(rng, gender, jobs), "certificates": _certificates(rng, jobs), "desired_occupations": jobs,
        "transfer_intention": intention, "expected_wage": _wage(rng, intention),
        "wants_training": rng.random() < 0.4, "wants_entrepreneurship": rng.random() < 0.1,
        "wechat_openid": "o" + "".join(rng.choices(_OPENID_CHARS, k=27)) if has_wechat else None,
        "consent": {"sms": rng.random() < 0.9, "wechat": has_wechat and rng.random() < 0.9,
                    "share_with_partners": rng.random() < 0.8},
    }
    placed = intention != "none" and rng.random() < PLACED_SHARE / 0.85  # 8% of everyone, none of the unwilling
    return Labourer(fields, _job_taken(rng, home, intention) if placed else None)


def _township_weight(township: Region) -> float:
    """Prisons and industrial parks are no one's home; town streets hold few of the rural poor."""
    if any(word in township.name for word in ("监狱", "戒毒", "园区", "开发区", "产业园")):
        return 0.0
    return 0.3 if township.name.endswith("街道") else 1.0


def _townships_in(county_code: str | None) -> float:
    return sum(_township_weight(t) for t in townships(county_code))


def _birth_date(rng: random.Random) -> date:
    year = min(2006, int(rng.triangular(1962, 2007, 1978)))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _name(rng: random.Random, gender: str, year: int, county: str) -> str:
    if rng.random() < MONGOL_SHARE.get(county, 0.2):
        given = rng.choice(MONGOL_GIVEN[gender])
        style = rng.random()
        if style < 0.5:
            return given  # 白音, 其其格: a Mongolian name alone
        if style < 0.85:
            return rng.choice(MONGOL_SURNAMES) + given  # 包乌力吉, 白斯琴
        return rng.choice(MONGOL_SURNAMES) + rng.choice(HAN_GIVEN[gender][year >= 1985])  # 包金山
    return rng.choice(HAN_SURNAMES) + rng.choice(HAN_GIVEN[gender][year >= 1985])


def _id_number(rng: random.Random, county: str, birth: date, gender: str, taken: set[str]) -> str:
    sequence = rng.randrange(100)
    while (number := make_id_number(county, birth, sequence, gender)) in taken:
        sequence = (sequence + 1) % 100
    taken.add(number)
    return number


def _phone(rng: random.Random, taken: set[str]) -> str:
    while (phone := rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}") in taken:
        pass
    taken.add(phone)
    return phone


def _pick_jobs(rng: random.Random, gender: str) -> list[str]:
    weights = JOBS[gender]
    first = rng.choices(list(weights), weights=list(weights.values()))[0]
    if rng.random() < 0.4:
        second = rng.choices(list(weights), weights=list(weights.values()))[0]
        return list(dict.fromkeys((first, second)))
    return [first]


def _skills(rng: random.Random, gender: str, jobs: list[str]) -> list[str]:
    skills: list[str] = []
    for job in jobs:
        # Staff write what the person says they can do (电焊, 开大车), rarely the job's formal name.
        spoken = sorted(t for t in terms_for(job) if t != job and t[-1] not in "员工师手" and t != "望京保安")
        skills += rng.sample(spoken, k=min(len(spoken), rng.choice((1, 1, 2)))) if spoken else [job]
    if rng.random() < 0.6:
        skills.append(rng.choice(FARM_SKILLS))
    if rng.random() < 0.3:
        skills.append(rng.choice(HOME_SKILLS[gender]))
    return list(dict.fromkeys(skills))


def _certificates(rng: random.Random, jobs: list[str]) -> list[str]:
    held = [name for job in jobs for name, share in CERTIFICATES.get(job, ()) if rng.random() < share]
    return list(dict.fromkeys(held))


def _capacity(rng: random.Random, year: int) -> str:
    weights = (85, 12, 3) if year >= 1972 else (60, 30, 10)
    return rng.choices(("full", "partial", "weak"), weights=weights)[0]


def _education(rng: random.Random, year: int) -> str | None:
    if rng.random() < 0.03:
        return None  # not recorded
    weights = ((10, 45, 38, 5, 2, 0) if year < 1975 else (3, 25, 55, 9, 6, 2) if year < 1990
               else (0, 5, 50, 15, 20, 10))
    return rng.choices(("none", "primary", "junior", "senior", "vocational", "college"), weights=weights)[0]


def _wage(rng: random.Random, intention: str) -> int | None:
    if rng.random() < 0.03:
        return None  # "面议": the worker named no figure
    low, high = {"none": (2500, 4000), "near_home": (2500, 4500), "league": (3000, 5500)}.get(intention, (4000, 7000))
    return rng.randrange(low, high + 1, 100)


def _job_taken(rng: random.Random, home: Region, intention: str) -> JobTaken:
    if intention == "anywhere" or (intention == "league" and rng.random() < 0.2):
        destination = rng.choice(BEIJING)
    elif intention == "league" and home.county_code not in {d.area for d in LEAGUE}:
        destination = rng.choice(LEAGUE)
    else:
        destination = Destination(home.county_code or home.code[:6], NEAR_HOME_TRADES, NEAR_HOME_WAGE, 0.0)
    return JobTaken(destination=destination,
                    monthly_wage=rng.randrange(destination.wage[0], destination.wage[1] + 1, 100),
                    contract_months=rng.choice((6, 12, 12, 24)),
                    organised_export=rng.random() < destination.export_share, days_ago=rng.randrange(10, 300))


def assign_postings(data: Sequence[Labourer], openings: Sequence[Opening], *, today: date,
                    seed: int = SEED) -> list[dict[str, Any] | None]:
    """Each labourer's placement in one of the openings, as the keyword arguments of `placements.record` (worker,
    caller and clock aside), or None for a labourer not placed. Pure and deterministic for the same openings.

    A placement names an opening of its destination (of the League at large when none there fits), with headcount
    left once the placements before it are counted, whose gender and ages admit the labourer, preferably in one of
    the trades the labourer went for; it pays within the posting's wage range and never below the minimum wage of
    the place on the start date, for the posting's contract months.
    """
    rng = random.Random(seed)
    ordered = sorted(openings, key=lambda o: (o.region_code, o.occupation, o.wage_min, o.wage_max, o.headcount,
                                              o.contract_months or 0, o.gender or "", o.age_min, o.age_max, o.id))
    left = {opening.id: opening.headcount for opening in ordered}
    placed: list[dict[str, Any] | None] = []
    for labourer in data:
        job = labourer.job
        if job is None:
            placed.append(None)
            continue
        start = today - timedelta(days=job.days_ago)
        card = parse_id_number(labourer.fields["id_number"], today=today)
        age = age_on(card.birth_date, start)
        wanted = {*job.destination.trades, *labourer.fields["desired_occupations"]}
        opening = None
        for area in dict.fromkeys((job.destination.area, job.destination.area[:4])):
            fitting = [o for o in ordered if left[o.id] > 0 and o.region_code.startswith(area)
                       and o.gender in (None, card.gender) and o.age_min <= age <= o.age_max]
            if fitting:
                opening = rng.choice([o for o in fitting if o.occupation in wanted] or fitting)
                break
        if opening is None:
            placed.append(None)  # no posting there has room for the labourer's age or gender: still seeking
            continue
        left[opening.id] -= 1
        floor = minimum_wage(opening.region_code, start)
        wage = max(min(max(job.monthly_wage, opening.wage_min), opening.wage_max), floor.monthly_cny if floor else 0)
        placed.append({"posting_id": opening.id, "work_region_code": opening.region_code, "start_date": start,
                       "monthly_wage": wage, "contract_months": opening.contract_months or job.contract_months,
                       "organised_export": job.organised_export})
    return placed


async def load(*, session: AsyncSession, settings: WorkersSettings, clock: Clock, by: Principal,
               openings: Sequence[Opening], holder: Openings) -> int:
    """Register the data set through the same service as the API (events, sealing) and record the placements in
    the given openings (the jobs service's demonstration postings), each held at jobs through `holder` as the API
    holds them; 0 when it was loaded before."""
    keys = settings.pii_keys
    data = labourers()
    marker = blind_index(data[0].fields["id_number"], keys=keys, purpose="id_number")
    if await session.scalar(select(WorkerProfile.id).where(WorkerProfile.id_number_hash == marker)):
        return 0
    planned = assign_postings(data, openings, today=local_today(clock))
    for labourer, placement in zip(data, planned):
        profile = await profiles.register(unit=session, fields=labourer.fields, by=by, keys=keys, clock=clock)
        if placement is not None:
            await place(session=session, worker_id=profile.id, placement=placement, by=by, clock=clock,
                        holder=holder, follow_up_months=settings.follow_up_months)
    return len(data)


async def place(*, session: AsyncSession, worker_id: str, placement: dict[str, Any], by: Principal, clock: Clock,
                holder: Openings, follow_up_months: tuple[int, ...]) -> None:
    """Record one planned placement through the workers service, as station staff would. The loader's one call of
    `placements.record`: what that function comes to need besides the placement is passed here."""
    await placements.record(session=session, worker_id=worker_id, by=by, clock=clock, openings=holder,
                            follow_up_months=follow_up_months, **placement)


async def busiest_county(*, session: AsyncSession) -> str | None:
    """The county with the most registered workers (the demo's station-staff token is minted for it)."""
    county = func.substr(WorkerProfile.home_region_code, 1, 6)
    return await session.scalar(select(county).group_by(county).order_by(func.count().desc(), county).limit(1))
