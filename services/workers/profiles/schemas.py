"""Request and response bodies for worker profiles (field names are the public contract)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from shared.forms import Line, Tags, YesNo
from shared.pii import normalise

LaborCapacity = Literal["full", "partial", "weak", "none"]
Education = Literal["none", "primary", "junior", "senior", "vocational", "college"]
TransferIntention = Literal["none", "near_home", "league", "anywhere"]

_MOBILE = re.compile(r"^1[3-9]\d{9}$")

# The words staff write in ledgers for each enumeration value.
CAPACITY_WORDS = {"全部": "full", "完全": "full", "全劳力": "full", "强": "full", "部分": "partial", "半劳力": "partial",
                  "弱": "weak", "弱劳力": "weak", "无": "none", "丧失": "none", "丧失劳动能力": "none"}
EDUCATION_WORDS = {"文盲": "none", "未上学": "none", "无": "none", "小学": "primary", "初中": "junior", "高中": "senior",
                   "中专": "vocational", "职高": "vocational", "技校": "vocational", "大专": "college",
                   "本科": "college", "本科及以上": "college", "大专及以上": "college"}
INTENTION_WORDS = {"无": "none", "不愿外出": "none", "就近": "near_home", "就近就业": "near_home", "本地": "near_home",
                   "盟内": "league", "盟内就业": "league", "不限": "anywhere", "外出": "anywhere", "区外": "anywhere",
                   "北京": "anywhere", "京蒙协作": "anywhere"}


def _words(table: dict[str, str]):
    def convert(value: object) -> object:
        if isinstance(value, str):
            return table.get(value.strip(), value.strip().lower())
        return value

    return BeforeValidator(convert)


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms: YesNo = False
    wechat: YesNo = False
    share_with_partners: YesNo = False


class ProfileIn(BaseModel):
    """A worker as station staff register one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line = Field(min_length=1, max_length=40)
    id_number: Line = Field(min_length=15, max_length=24)
    phone: Line = Field(min_length=11, max_length=20)
    home_region_code: str = Field(pattern=r"^\d{6}(\d{3})?$")
    labor_capacity: Annotated[LaborCapacity, _words(CAPACITY_WORDS)] = "full"
    education: Annotated[Education | None, _words(EDUCATION_WORDS)] = None
    skills: Tags = []
    certificates: Tags = []
    desired_occupations: Tags = []
    transfer_intention: Annotated[TransferIntention, _words(INTENTION_WORDS)]
    expected_wage: int | None = Field(default=None, gt=0, le=100_000)
    wants_training: YesNo = False
    wants_entrepreneurship: YesNo = False
    pension_insured: YesNo | None = Field(default=None, description="covered by the residents' basic pension "
                                          "insurance (城乡居民基本养老保险); null: not recorded")
    wechat_openid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{10,64}$")
    consent: Consent = Field(default_factory=Consent)

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str) -> str:
        number = normalise(value, purpose="phone")
        if not _MOBILE.match(number):
            raise PydanticCustomError("mobile_number",
                                      "must be a mainland mobile number: 11 digits starting with 13–19")
        return number


class ProfilePatch(BaseModel):
    """A change to a profile: any subset of the registration fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Line | None = Field(default=None, min_length=1, max_length=40)
    id_number: Line | None = Field(default=None, min_length=15, max_length=24)
    phone: Line | None = Field(default=None, min_length=11, max_length=20)
    home_region_code: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$")
    labor_capacity: Annotated[LaborCapacity | None, _words(CAPACITY_WORDS)] = None
    education: Annotated[Education | None, _words(EDUCATION_WORDS)] = None
    skills: Tags | None = None
    certificates: Tags | None = None
    desired_occupations: Tags | None = None
    transfer_intention: Annotated[TransferIntention | None, _words(INTENTION_WORDS)] = None
    expected_wage: int | None = Field(default=None, gt=0, le=100_000)
    wants_training: YesNo | None = None
    wants_entrepreneurship: YesNo | None = None
    pension_insured: YesNo | None = None
    wechat_openid: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{10,64}$")
    consent: Consent | None = None

    _mobile = field_validator("phone")(lambda cls, v: None if v is None else ProfileIn._mobile(v))


class ProfileOut(BaseModel):
    id: str
    name: str
    id_number: str
    phone: str
    wechat_openid: str | None
    personal_data: Literal["clear", "masked"] = Field(description="whether id_number and phone are shown in clear")
    birth_date: date | None
    age: int
    gender: str
    home_region_code: str
    home_region_name: str
    labor_capacity: str
    education: str | None
    skills: list[str]
    certificates: list[str]
    desired_occupations: list[str]
    transfer_intention: str
    expected_wage: int | None
    wants_training: bool
    wants_entrepreneurship: bool
    pension_insured: bool | None
    consent: Consent
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class ProfilePage(BaseModel):
    items: list[ProfileOut]
    total: int
    page: int
    page_size: int
