"""A labelled population for the ranker: League workers, local posts, a Beijing supply list; fits known by construction.

Everything is drawn from the reference data (townships and their points, Beijing districts, minimum wages, the
synonym table of canonical jobs) and from the demonstration data's job mix, with a fixed seed: the same population on
every machine. Each posting is made for one canonical job (`posting_job`) and each worker wants or can do a few
(`worker_jobs`); the texts are then *written* from those jobs the way people write them — synonyms, recruiting
decorations, an occupation field left empty with only a code, titles no table knows with the job in the description,
skills in spoken words, certificates under other names — so the ranker has to read the truth back from text.

A posting fits a worker (the truth the evaluation scores against) when its job is one of the worker's jobs, or when it
is a public-welfare post within the half-hour circle of a worker who cannot take regular work (docs/domain.md,
rule 4). Whether it may be offered (the hard constraints) is decided by the evaluation's own reference check, not here.

Some postings are made to be refused — closed, filled, expired, or paying below the minimum wage — and must never
be offered.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from services.matching.ranking.model import PostingView, WorkerView
from shared.reference.regions import Region, regions_under, townships
from shared.reference.vocabulary import read as read_occupation, terms_for
from shared.reference.wages import minimum_wage

TODAY = date(2027, 3, 1)
SEED = 2018135
NEAR_HOME_KM = 30.0

# Where the registered poor live (the demonstration data's weights): 科右中旗 the most.
COUNTY_WEIGHTS = {"152222": 28, "152221": 24, "152223": 20, "152224": 18, "152201": 6, "152202": 4}
# What workers ask for, by gender (the demonstration data's mix of canonical jobs).
WANTED = {
    "female": {"家政服务员": 12, "保洁员": 12, "养老护理员": 8, "育婴员": 6, "餐厅服务员": 8, "厨工": 6, "普工": 8,
               "缝纫工": 6, "刺绣工": 6, "包装工": 5, "客房服务员": 4, "营业员": 4, "洗碗工": 3, "中式烹调师": 3,
               "收银员": 3, "畜禽饲养人员": 6, "农作物生产人员": 8, "绿化工": 3, "保育员": 2, "粮油加工工": 2},
    "male": {"建筑小工": 10, "砌筑工": 8, "焊工": 6, "驾驶员": 8, "保安员": 8, "装卸搬运工": 6, "快递员": 5, "普工": 8,
             "电工": 3, "木工": 3, "钢筋工": 3, "汽车维修工": 3, "工程机械操作工": 3, "农机手": 4, "畜禽饲养人员": 10,
             "农作物生产人员": 8, "中式烹调师": 3, "草原管护员": 3, "公路养护工": 3, "森林经营和管护人员": 2,
             "屠宰工": 2, "仓储人员": 3, "叉车工": 2},
}
FARM_JOBS = ("农作物生产人员", "畜禽饲养人员")
INTENTIONS = {"none": 15, "near_home": 35, "league": 25, "anywhere": 25}


@dataclass(frozen=True)
class JobKind:
    """How postings of one canonical job look: Beijing wage range, who may apply, what is required."""

    beijing: bool  # posted in Beijing's supply list too
    wage: tuple[int, int] = (4500, 6500)  # Beijing market range; League posts pay about 60 % of it
    gender: str | None = None
    ages: tuple[int, int] = (18, 55)
    certificates: tuple[tuple[str, float], ...] = ()  # (name, share of postings requiring it)
    board: float = 0.6  # share of Beijing posts with meals and lodging
    welfare: bool = False  # may be a public-welfare post in the League
    workshop: bool = False  # may be an employment workshop in the League


KINDS: dict[str, JobKind] = {
    "家政服务员": JobKind(True, (5000, 7500), "female", (25, 55), (("健康证", 0.6),), 0.95),
    "育婴员": JobKind(True, (7000, 12000), "female", (25, 50), (("育婴员证", 0.5), ("健康证", 0.5)), 0.9),
    "养老护理员": JobKind(True, (4500, 6500), None, (20, 55), (("健康证", 0.5),), 0.8, welfare=True),
    "保安员": JobKind(True, (4200, 6000), "male", (18, 50), (("保安员证", 0.4),), 0.8, welfare=True),
    "保洁员": JobKind(True, (3000, 4500), None, (18, 60), (), 0.4, welfare=True),
    "快递员": JobKind(True, (6000, 9500), "male", (18, 45), (), 0.6),
    "中式烹调师": JobKind(True, (5500, 8000), None, (22, 50), (("健康证", 0.7),), 0.9),
    "餐厅服务员": JobKind(True, (4000, 5500), None, (18, 45), (("健康证", 0.6),), 0.9),
    "厨工": JobKind(True, (4000, 5500), None, (18, 50), (("健康证", 0.6),), 0.9),
    "洗碗工": JobKind(True, (3800, 5000), None, (18, 58), (("健康证", 0.5),), 0.9),
    "客房服务员": JobKind(True, (4000, 5500), "female", (18, 50), (), 0.9),
    "焊工": JobKind(True, (7000, 10000), "male", (20, 55), (("焊工证", 0.7),), 0.8),
    "电工": JobKind(True, (6500, 9000), "male", (20, 55), (("电工证", 0.8),), 0.8),
    "砌筑工": JobKind(True, (7000, 10000), "male", (20, 58), (), 0.9),
    "钢筋工": JobKind(True, (7000, 10000), "male", (20, 55), (), 0.9),
    "木工": JobKind(True, (7000, 10000), "male", (20, 58), (), 0.9),
    "建筑小工": JobKind(True, (5000, 7000), "male", (18, 58), (), 0.9),
    "驾驶员": JobKind(True, (7000, 10000), "male", (25, 55), (("驾驶证B2", 0.6), ("驾驶证C1", 0.3)), 0.6),
    "普工": JobKind(True, (4500, 6000), None, (18, 50), (), 0.9, workshop=True),
    "包装工": JobKind(True, (4300, 5800), None, (18, 50), (), 0.9, workshop=True),
    "仓储人员": JobKind(True, (5000, 7000), None, (18, 50), (), 0.8),
    "装卸搬运工": JobKind(True, (6000, 8500), "male", (18, 50), (), 0.7),
    "叉车工": JobKind(True, (5500, 7500), "male", (20, 50), (("叉车证", 0.7),), 0.7),
    "汽车维修工": JobKind(True, (5500, 8000), "male", (20, 50), (), 0.6),
    "营业员": JobKind(True, (4000, 5500), None, (18, 45), (), 0.5),
    "收银员": JobKind(True, (4000, 5200), None, (18, 45), (), 0.5),
    "保育员": JobKind(True, (4500, 6000), "female", (20, 45), (("健康证", 0.8),), 0.7),
    "缝纫工": JobKind(False, (4500, 6000), None, (18, 60), (), 0.0, workshop=True),
    "刺绣工": JobKind(False, (4500, 6000), "female", (18, 60), (), 0.0, workshop=True),
    "粮油加工工": JobKind(False, (4200, 5500), None, (18, 60), (), 0.0, workshop=True),
    "畜禽饲养人员": JobKind(False, (4500, 6000), None, (18, 60), (), 0.0),
    "农作物生产人员": JobKind(False, (4300, 5500), None, (18, 62), (), 0.0),
    "农机手": JobKind(False, (5000, 7000), "male", (20, 58), (), 0.0),
    "工程机械操作工": JobKind(True, (7000, 11000), "male", (20, 55), (), 0.7),
    "草原管护员": JobKind(False, (4300, 5000), None, (18, 60), (), 0.0, welfare=True),
    "公路养护工": JobKind(False, (4300, 5000), None, (18, 58), (), 0.0, welfare=True),
    "森林经营和管护人员": JobKind(False, (4300, 5000), None, (18, 60), (), 0.0, welfare=True),
    "绿化工": JobKind(False, (4200, 4800), None, (18, 60), (), 0.0, welfare=True),
    "屠宰工": JobKind(False, (5000, 7000), "male", (18, 55), (("健康证", 0.5),), 0.0),
}
# Titles no table knows, with the job named only in the description (the text route must find these).
FREE_TITLES = {
    "焊工": (("钢结构焊接", "钢结构厂招人，会电焊优先"), ("管道焊接技术员", "管道安装，氩弧焊")),
    "家政服务员": (("住家阿姨做饭", "照顾一家三口，保姆工作"),),
    "驾驶员": (("城配物流跟车", "开车送货，B2驾照"),),
    "普工": (("食品厂操作员", "流水线操作，两班倒"),),
    "建筑小工": (("工地辅助人员", "工地力工，搬砖和灰"),),
    "保安员": (("小区秩序维护员", "门卫值守，巡逻"),),
    "缝纫工": (("服装加工", "扶贫车间，缝纫计件"),),
}
# Words that name no job, as staff also write them.
NOISE_SKILLS = ("吃苦耐劳", "能倒班", "会用手机", "身体好", "能吃苦")
DECORATIONS = ("", "", "", "急招", "诚聘", "（长期）", "（包吃住）", "高薪", "【急】", "3名")
# Certificates as workers hold them, under the names people use (the ranker must read them as the same key).
WORKER_CERTIFICATES = {
    "焊工": (("焊工证", 0.35), ("电焊证", 0.15), ("特种作业操作证（焊接与热切割）", 0.1)),
    "驾驶员": (("驾驶证B2", 0.3), ("B2驾照", 0.1), ("驾驶证（A2）", 0.1), ("驾驶证C1", 0.25), ("驾驶证A1", 0.05)),
    "育婴员": (("育婴员证", 0.35), ("育婴师证", 0.15), ("健康证", 0.4)),
    "保安员": (("保安员证", 0.3), ("保安证", 0.1)),
    "电工": (("电工证", 0.5), ("低压电工证", 0.1)),
    "叉车工": (("叉车证", 0.6),),
    "家政服务员": (("健康证", 0.3), ("健康证明", 0.1)),
    "养老护理员": (("健康证", 0.35),),
    "中式烹调师": (("健康证", 0.5),),
    "厨工": (("健康证", 0.35),),
    "餐厅服务员": (("健康证", 0.35),),
    "洗碗工": (("健康证", 0.3),),
    "保育员": (("健康证", 0.4),),
    "屠宰工": (("健康证", 0.3),),
}


@dataclass
class Population:
    """Postings and workers as the matching read models hold them, and the truth of which postings fit whom."""

    today: date
    postings: list[PostingView]
    workers: list[WorkerView]
    posting_job: dict[str, str]
    worker_jobs: dict[str, frozenset[str]]
    refused: dict[str, str] = field(default_factory=dict)  # posting id -> why it must never be offered
    near_home_km: float = NEAR_HOME_KM

    def fits(self, worker: WorkerView, posting: PostingView, distance_km: float) -> bool:
        """The truth: the posting is one of the worker's jobs, or public welfare near home for a worker who cannot
        take regular work (docs/domain.md, rule 4)."""
        if self.posting_job[posting.id] in self.worker_jobs[worker.id]:
            return True
        cannot_work = worker.labor_capacity in ("weak", "none")
        return posting.public_welfare and cannot_work and distance_km <= self.near_home_km


@cache
def _homes() -> tuple[tuple[Region, ...], tuple[float, ...]]:
    places, weights = [], []
    for t in townships():
        if any(word in t.name for word in ("监狱", "戒毒", "园区", "开发区", "产业园")):
            continue  # no one's home
        places.append(t)
        county = t.county_code or ""
        share = sum(1 for u in townships(county))
        weights.append((0.3 if t.name.endswith("街道") else 1.0) * COUNTY_WEIGHTS.get(county, 1) / share)
    return tuple(places), tuple(weights)


@cache
def _spoken(job: str) -> tuple[str, ...]:
    """The words people use for a job other than its formal name (电焊, 开大车), else the name itself."""
    words = sorted(t for t in terms_for(job) if t != job and t[-1] not in "员工师手" and t != "望京保安")
    return tuple(words) or (job,)


@cache
def _small_code(job: str) -> str:
    match = read_occupation(job)
    return match.occupation.code if match else ""


def _jitter(rng: random.Random, lon: float, lat: float, km: float) -> tuple[float, float]:
    d_lat = rng.gauss(0, km) / 111.0
    d_lon = rng.gauss(0, km) / (111.0 * math.cos(math.radians(lat)))
    return round(lon + d_lon, 5), round(lat + d_lat, 5)


def generate(*, workers: int = 5000, postings: int = 3000, seed: int = SEED, today: date = TODAY) -> Population:
    """The population, the same for the same arguments on every machine."""
    rng = random.Random(seed)
    posting_views, posting_job, refused = _postings(rng, postings, today)
    worker_views, worker_jobs = _workers(rng, workers)
    return Population(today, posting_views, worker_views, posting_job, worker_jobs, refused)


def _posting_job_weights() -> dict[str, float]:
    demand: dict[str, float] = {}
    for weights in WANTED.values():
        for job, w in weights.items():
            demand[job] = demand.get(job, 0) + w
    # Supply follows demand loosely: the rarer trades have few posts, so ladders and shortfalls happen.
    return {job: (demand.get(job, 1) ** 0.8) for job in KINDS}


def _postings(rng: random.Random, count: int, today: date) -> tuple[list[PostingView], dict[str, str], dict[str, str]]:
    homes, weights = _homes()
    districts = [r for r in regions_under("1101") if r.level == "county"]
    job_weights = _posting_job_weights()
    beijing_jobs = [j for j in KINDS if KINDS[j].beijing]
    league_jobs = list(KINDS)
    out: list[PostingView] = []
    truth: dict[str, str] = {}
    refused: dict[str, str] = {}
    employer = 0
    while len(out) < count:
        # Employers post in clusters: one place, one or two jobs, one to eight postings (diversity matters).
        employer += 1
        in_beijing = rng.random() < 0.4
        jobs_pool = beijing_jobs if in_beijing else league_jobs
        jobs = rng.choices(jobs_pool, weights=[job_weights[j] for j in jobs_pool], k=rng.choice((1, 1, 2)))
        place = rng.choice(districts) if in_beijing else rng.choices(homes, weights=weights)[0]
        welfare_employer = not in_beijing and rng.random() < 0.25
        for _ in range(min(rng.choice((1, 1, 2, 3, 5, 8)), count - len(out))):
            job = rng.choice(jobs)
            posting, why = _posting(rng, len(out), job, employer, place, in_beijing, welfare_employer, today)
            out.append(posting)
            truth[posting.id] = job
            if why:
                refused[posting.id] = why
    return out, truth, refused


def _posting(rng: random.Random, n: int, job: str, employer: int, place: Region, in_beijing: bool,
             welfare_employer: bool, today: date) -> tuple[PostingView, str]:
    kind = KINDS[job]
    lon, lat = _jitter(rng, place.lon, place.lat, 8.0 if in_beijing else 4.0)
    # League posts pay about 60 % of the Beijing market range.
    low, high = kind.wage if in_beijing else tuple(int(w * 0.6) // 100 * 100 for w in kind.wage)
    floor = minimum_wage(place.code, today)
    floor_cny = floor.monthly_cny if floor else 0
    wage_min = max(rng.randrange(low, low + 700, 100), floor_cny)
    wage_max = max(wage_min + 300, high)
    why = ""
    status, headcount, valid_until = "open", rng.randint(1, 8), today + timedelta(days=rng.randint(20, 200))
    roll = rng.random()
    if roll < 0.02:
        status, why = "closed", "closed"
    elif roll < 0.04:
        headcount, why = 0, "filled"
    elif roll < 0.06:
        valid_until, why = today - timedelta(days=rng.randint(1, 30)), "expired"
    elif roll < 0.08 and floor_cny:
        wage_min, why = floor_cny - rng.randrange(100, 500, 100), "below the minimum wage"
    welfare = welfare_employer and kind.welfare
    workshop = not in_beijing and not welfare and kind.workshop and rng.random() < 0.5
    title, occupation, code, description = _texts(rng, job, welfare, workshop)
    certificates = tuple(name for name, share in kind.certificates if rng.random() < share)
    if job == "驾驶员" and "驾驶证B2" in certificates and "驾驶证C1" in certificates:
        certificates = tuple(c for c in certificates if c != "驾驶证C1")
    board = rng.random() < (kind.board if in_beijing else 0.15)
    ages = kind.ages if rng.random() < 0.8 else (kind.ages[0], min(kind.ages[1], 40))
    posting = PostingView(
        id=f"p{n:06d}", employer_id=f"e{employer:05d}",
        employer_name=f"{place.short_name}{'扶贫车间' if workshop else ''}用人单位{employer}",
        title=title, occupation=occupation, occupation_code=code, region_code=place.code, lon=lon, lat=lat,
        wage_min=wage_min, wage_max=wage_max, headcount=headcount, valid_until=valid_until, description=description,
        skills=tuple(rng.sample(_spoken(job), k=min(2, len(_spoken(job))))), age_min=ages[0], age_max=ages[1],
        gender=kind.gender if rng.random() < 0.8 else None, certificates=certificates, meals=board, lodging=board,
        contract_months=12, public_welfare=welfare, workshop=workshop,
        supply_list_id="bj-supply-2027h1" if in_beijing else None, status=status,
    )
    return posting, why


def _texts(rng: random.Random, job: str, welfare: bool, workshop: bool) -> tuple[str, str, str | None, str]:
    """Title, occupation, occupation code and description, written the way employers write them."""
    terms = sorted(terms_for(job))
    roll = rng.random()
    if job in FREE_TITLES and roll < 0.15:
        title, description = rng.choice(FREE_TITLES[job])
        return title, "", None, description
    title = rng.choice(terms)
    decoration = rng.choice(DECORATIONS)
    title = f"{decoration}{title}" if decoration in ("急招", "诚聘", "高薪", "【急】") else f"{title}{decoration}"
    if welfare:
        title = f"{title}（公益性岗位）"
    elif workshop:
        title = f"扶贫车间{title}"
    if roll < 0.65:
        occupation, code = job, None
    elif roll < 0.85:
        occupation, code = rng.choice(terms), None
    else:
        occupation, code = "", _small_code(job)  # only the 大典 code, as some supply lists give it
    description = f"招{rng.choice(terms)}，{rng.choice(('待遇从优', '多劳多得', '按月发工资', '缴纳社保'))}"
    return title, occupation, code, description


def _workers(rng: random.Random, count: int) -> tuple[list[WorkerView], dict[str, frozenset[str]]]:
    homes, weights = _homes()
    out: list[WorkerView] = []
    truth: dict[str, frozenset[str]] = {}
    chosen = rng.choices(homes, weights=weights, k=count)
    for n, home in enumerate(chosen):
        gender = "male" if rng.random() < 0.52 else "female"
        wanted = WANTED[gender]
        desired = list(dict.fromkeys(rng.choices(list(wanted), weights=list(wanted.values()), k=rng.choice((1, 1, 2)))))
        can_do = [rng.choice(FARM_JOBS)] if rng.random() < 0.5 else []
        jobs = list(dict.fromkeys(desired + can_do))
        age = max(16, min(64, int(rng.triangular(17, 64, 40))))
        intention = rng.choices(list(INTENTIONS), weights=list(INTENTIONS.values()))[0]
        capacity = rng.choices(("full", "partial", "weak"), weights=(80, 14, 6) if age < 50 else (60, 28, 12))[0]
        # Staff write the wanted job by a name (焊工, 保姆) and the skills in spoken words (电焊, 放羊).
        desired_words = tuple(rng.choice((job, job, rng.choice(sorted(terms_for(job))))) for job in desired)
        skills = [rng.choice(_spoken(job)) for job in jobs if rng.random() < 0.8]
        if rng.random() < 0.3:
            skills.append(rng.choice(NOISE_SKILLS))
        certificates = tuple(dict.fromkeys(
            name for job in desired for name, share in WORKER_CERTIFICATES.get(job, ()) if rng.random() < share))
        expected = None if rng.random() < 0.03 else rng.randrange(
            *{"none": (2500, 4000), "near_home": (2500, 4500), "league": (3000, 5500)}.get(intention, (4000, 7000)),
            100)
        worker = WorkerView(
            id=f"w{n:06d}", age=age, gender=gender, home_region_code=home.code, lon=home.lon, lat=home.lat,
            transfer_intention=intention, labor_capacity=capacity, skills=tuple(dict.fromkeys(skills)),
            certificates=certificates, desired_occupations=desired_words, expected_wage=expected,
            status="placed" if rng.random() < 0.05 else "seeking",
        )
        out.append(worker)
        truth[worker.id] = frozenset(jobs)
    return out, truth
