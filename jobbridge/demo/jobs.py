"""Deterministic demonstration data for the jobs service: employers, a few hundred postings, a Beijing supply list."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.jobs.employers import service as employers
from services.jobs.employers.models import Employer
from services.jobs.postings import service as postings
from services.jobs.postings.models import Posting, PostingStatus
from services.jobs.supply_lists.models import SupplyList
from shared.clock import Clock, local_today
from shared.reference.regions import get_region, regions_under, townships
from shared.reference.wages import minimum_wage

SEED = 20181135  # the plan's number (兴署办发〔2018〕135号), so the data set is the same on every machine
DEMO_OFFICE = "bj-fengtai-hrss"  # 丰台区人力资源和社会保障局, paired with 扎赉特旗 under the cooperation


@dataclass(frozen=True)
class Job:
    title: str
    occupation: str
    skills: tuple[str, ...]
    description: str
    wage: tuple[int, int]  # market range in Beijing, CNY a month; League posts pay about 60% of it
    certificates: tuple[str, ...] = ()
    gender: str | None = None
    age: tuple[int, int] = (18, 55)
    meals_lodging: float = 0.5  # share of posts offering 包吃住 in Beijing


JOBS = (
    Job("家政服务员（住家）", "家政服务员", ("做饭", "保洁", "照顾老人"), "照顾老人起居，做饭，打扫卫生", (5000, 7500),
        ("健康证",), "female", (25, 55), 0.95),
    Job("育婴员（月嫂）", "育婴员", ("带孩子", "母婴护理"), "照顾产妇和新生儿，住家", (7000, 12000),
        ("健康证", "育婴员证"), "female", (25, 50), 0.9),
    Job("养老护理员", "养老护理员", ("照顾老人", "护理"), "养老院护理，协助老人吃饭、翻身、洗漱", (4500, 6500),
        ("健康证",), None, (20, 55), 0.8),
    Job("保安员", "保安员", ("巡逻", "门卫"), "小区、写字楼安保，站岗巡逻", (4200, 6000),
        ("保安员证",), "male", (18, 50), 0.8),
    Job("保洁员", "保洁员", ("保洁", "打扫卫生"), "商场、写字楼日常清洁", (3000, 4500), (), None, (18, 60), 0.4),
    Job("快递员", "快递员", ("送快递", "电动车"), "片区派件、揽件，多劳多得", (6000, 9500), (), "male", (18, 45), 0.6),
    Job("中餐厨师", "中式烹调师", ("炒菜", "做饭"), "单位食堂炒菜，负责午餐晚餐", (5500, 8000),
        ("健康证",), None, (22, 50), 0.9),
    Job("餐厅服务员", "餐厅服务员", ("传菜", "点菜"), "餐厅点菜、传菜、收台", (4000, 5500),
        ("健康证",), None, (18, 45), 0.9),
    Job("电焊工", "焊工", ("电焊", "氩弧焊"), "钢结构焊接，持证上岗", (7000, 10000),
        ("焊工证",), "male", (20, 55), 0.8),
    Job("建筑电工", "电工", ("电工", "布线"), "工地临时用电、照明安装", (6500, 9000),
        ("电工证",), "male", (20, 55), 0.8),
    Job("瓦工", "砌筑工", ("砌砖", "抹灰"), "砌墙、抹灰，按天结算", (7000, 10000), (), "male", (20, 58), 0.9),
    Job("货车司机", "驾驶员", ("开大车", "驾驶"), "城配货车，持B2以上驾照", (7000, 10000),
        ("驾驶证B2",), "male", (25, 55), 0.6),
    Job("普工（包装）", "普工", ("包装", "流水线"), "食品厂流水线包装，两班倒", (4500, 6000), (), None, (18, 50), 0.9),
    Job("仓库分拣员", "仓储人员", ("分拣", "搬运"), "电商仓库分拣打包", (5000, 7000), (), None, (18, 50), 0.8),
    Job("装卸工", "装卸搬运工", ("装卸", "搬运"), "物流园装卸货", (6000, 8500), (), "male", (18, 50), 0.7),
)

LOCAL_ONLY = (
    Job("草原管护员", "草原管护员", ("放牧", "巡护"), "公益性岗位：草原巡护、防火", (2600, 3000),
        (), None, (18, 60), 0.0),
    Job("保洁绿化员", "绿化工", ("保洁", "绿化"), "公益性岗位：村屯保洁绿化", (2500, 2800), (), None, (18, 60), 0.0),
    Job("公路养护工", "公路养护工", ("修路", "养路"), "公益性岗位：乡村公路养护", (2600, 3000), (), None, (18, 58), 0.0),
    Job("扶贫车间缝纫工", "缝纫工", ("缝纫", "手工"), "扶贫车间服装加工，计件", (2600, 3600), (), None, (18, 60), 0.0),
    Job("杂粮加工工", "粮油加工工", ("包装", "分拣"), "扶贫车间杂粮分拣包装", (2500, 3300), (), None, (18, 60), 0.0),
)

LEAGUE_EMPLOYERS = ("兴安盟兴诚物业服务有限公司", "乌兰浩特市草原人家餐饮有限公司", "科右前旗绿源农牧专业合作社",
                    "科右中旗巧手刺绣扶贫车间", "扎赉特旗稻香米业有限公司", "突泉县社区工厂（服装加工）",
                    "阿尔山市林海旅游服务有限公司", "兴安盟顺通物流有限公司", "乌兰浩特市安康养老院",
                    "兴安盟建工集团第三项目部")
BEIJING_EMPLOYERS = ("北京安居家政服务有限公司", "北京京安保安服务有限公司", "北京速达快递服务有限公司",
                     "北京福寿养老照料中心", "北京丰泽餐饮管理有限公司", "北京城建劳务分包有限公司",
                     "北京优鲜食品有限公司", "北京天路物流有限公司", "北京洁美物业管理有限公司",
                     "北京月子佳人母婴护理有限公司")


@dataclass(frozen=True)
class DataSet:
    """Employers (name, region, the office that brought it in) and postings (employer name, fields, whether the
    posting is on the office's supply list), before any of them has an id."""

    employers: list[tuple[str, str, str | None]]
    postings: list[tuple[str, dict[str, Any], bool]]


@dataclass(frozen=True)
class Opening:
    """A posting a demonstration labourer may have taken, with what a placement in it has to agree with."""

    id: str
    region_code: str
    occupation: str
    wage_min: int
    wage_max: int
    headcount: int
    contract_months: int | None
    gender: str | None
    age_min: int
    age_max: int

    @classmethod
    def of(cls, posting_id: str, fields: Mapping[str, Any]) -> Opening:
        """The opening of a posting's fields: a body as posted, or a stored posting's columns."""
        return cls(id=posting_id, **{name: fields[name] for name in OPENING_FIELDS})


OPENING_FIELDS = tuple(field.name for field in dataclasses.fields(Opening) if field.name != "id")


def data_set(today: date) -> DataSet:
    """The data set, the same on every machine (only `today` moves the dates): pure, so it can be checked, and the
    labourers' placements planned, without a database."""
    rng = random.Random(SEED)
    employers: list[tuple[str, str, str | None]] = [(name, _league_region(rng), None) for name in LEAGUE_EMPLOYERS]
    employers += [(name, rng.choice(_beijing_districts()), DEMO_OFFICE) for name in BEIJING_EMPLOYERS]
    postings: list[tuple[str, dict[str, Any], bool]] = []
    for n in range(320):
        in_beijing = n % 5 < 2
        job = rng.choice(JOBS) if in_beijing or n % 4 else rng.choice(LOCAL_ONLY)
        employer = rng.choice(BEIJING_EMPLOYERS if in_beijing else LEAGUE_EMPLOYERS)
        region = rng.choice(_beijing_districts()) if in_beijing else _league_region(rng)
        fields = _posting(job, region=region, in_beijing=in_beijing, rng=rng, today=today)
        postings.append((employer, fields, in_beijing and n % 2 == 0))
    return DataSet(employers=employers, postings=postings)


async def load(*, session: AsyncSession, clock: Clock) -> dict[str, str] | None:
    """Load the data set once; return the ids worth a token (None when it was loaded before)."""
    if await employers.find_by_name(session=session, name=LEAGUE_EMPLOYERS[0]):
        return None
    today = local_today(clock)
    data = data_set(today)
    made = {name: await employers.create(session=session, name=name, region_code=region, clock=clock,
                                         office_id=office)
            for name, region, office in data.employers}
    supply_list = SupplyList(id="00000000-0000-4000-8000-000000000001", office_id=DEMO_OFFICE,
                             title="丰台区2027年上半年京蒙劳务协作岗位供给清单", source_region_code="110106",
                             period_start=today, period_end=today + timedelta(days=180), created_at=clock.now())
    session.add(supply_list)
    await session.flush()
    for employer, fields, listed in data.postings:
        await postings.post(unit=session, fields=fields | {"supply_list_id": supply_list.id if listed else None},
                            employer_id=made[employer].id, clock=clock)
    return {"employer_id": made[LEAGUE_EMPLOYERS[0]].id, "beijing_employer_id": made[BEIJING_EMPLOYERS[0]].id,
            "office_id": DEMO_OFFICE, "supply_list_id": supply_list.id}


async def openings(*, session: AsyncSession, clock: Clock) -> list[Opening]:
    """The demonstration postings open today with headcount left, as jobs holds them (ids included)."""
    rows = await session.scalars(
        select(Posting).join(Employer, Posting.employer_id == Employer.id)
        .where(Employer.name.in_((*LEAGUE_EMPLOYERS, *BEIJING_EMPLOYERS)), Posting.status == PostingStatus.open,
               Posting.headcount > 0, Posting.valid_until >= local_today(clock)))
    return [Opening.of(posting.id, {name: getattr(posting, name) for name in OPENING_FIELDS}) for posting in rows]


def _posting(job: Job, *, region: str, in_beijing: bool, rng: random.Random, today: date) -> dict[str, Any]:
    low, high = job.wage if in_beijing else (round(job.wage[0] * 0.6, -2), round(job.wage[1] * 0.6, -2))
    floor = minimum_wage(region, today)
    wage_min = max(int(rng.randrange(int(low), int(low) + 600, 100)), floor.monthly_cny if floor else 0)
    wage_max = max(wage_min + 300, int(high))
    place = get_region(region)
    assert place is not None, f"the demonstration places are all in the region table: {region}"
    public_welfare = job in LOCAL_ONLY[:3]
    return {
        "title": job.title, "occupation": job.occupation, "occupation_code": None, "description": job.description,
        "skills": list(job.skills), "region_code": region, "address": f"{place.name}", "lon": None, "lat": None,
        "wage_min": wage_min, "wage_max": wage_max, "headcount": rng.randint(1, 8),
        "age_min": job.age[0], "age_max": job.age[1], "gender": job.gender, "certificates": list(job.certificates),
        "meals": rng.random() < job.meals_lodging, "lodging": rng.random() < job.meals_lodging,
        "contract_months": rng.choice((6, 12, 12, 24)) if not public_welfare else 12,
        "public_welfare": public_welfare, "workshop": "车间" in job.title or job.occupation == "粮油加工工",
        "supply_list_id": None, "valid_until": today + timedelta(days=rng.randint(60, 200)),
    }


def _league_region(rng: random.Random) -> str:
    return rng.choice([t.code for t in townships()])


def _beijing_districts() -> list[str]:
    return [r.code for r in regions_under("1101")]

