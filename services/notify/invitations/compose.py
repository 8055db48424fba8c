"""Compose a job fair's invitation: the SMS (text and template parameters) and the WeChat template data. Pure.

The templates assumed (register them with these exact texts; the provider adds the signature 【兴安就业】):
- Aliyun:  ${date}${time}在${venue}举办招聘会，${jobs}，欢迎参加。咨询${contact}。回T退订
- Tencent: {1}{2}在{3}举办招聘会，{4}，欢迎参加。咨询{5}。回T退订
e.g. 【兴安就业】12月10日9时在乌兰浩特市人力资源市场举办招聘会，有12个岗位，欢迎参加。咨询0482-8261234。回T退订
A long venue is clipped to 20 characters; the contact (the station's name and number) may take 35, the most a vendor
takes in one variable; a longer one is refused (the message is not sent, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.notify.compose import OPT_OUT, SIGNATURE, WECHAT_VALUE_LIMIT, clip, count_sms, render, sms_safe
from shared.contracts.jobs import FairInvitation

SMS_PARAMS = ("date", "time", "venue", "jobs", "contact")
VENUE_LIMIT = 20
PARAM_LIMIT = 35
MAX_SEGMENTS = 3
# Roles → keyword names of the WeChat template assumed ("招聘会邀请": 招聘会/时间/地点/咨询电话).
WECHAT_TEMPLATE_KEYS = {"title": "keyword1", "when": "keyword2", "venue": "keyword3", "contact": "keyword4"}


def aliyun_template(opt_out: str = OPT_OUT) -> str:
    """The Aliyun template text the parameters are made for (without the signature)."""
    return "${date}${time}在${venue}举办招聘会，${jobs}，欢迎参加。咨询${contact}。" + opt_out


def tencent_template(opt_out: str = OPT_OUT) -> str:
    positions = {name: f"{{{n}}}" for n, name in enumerate(SMS_PARAMS, 1)}
    return render(aliyun_template(opt_out), positions)


@dataclass(frozen=True)
class Fair:
    """What an invitation tells of the fair."""

    title: str
    held_on: date
    start_time: str  # "09:00"
    venue: str
    postings: int

    @classmethod
    def from_invitation(cls, invitation: FairInvitation) -> Fair:
        def line(text: str | None) -> str:
            return " ".join((text or "").split())

        return cls(title=line(invitation.title), held_on=invitation.held_on,
                   start_time=line(invitation.start_time) or "09:00",
                   venue=line(invitation.venue) or line(invitation.region_name), postings=max(0, invitation.postings))


def day_text(held_on: date) -> str:
    return f"{held_on.month}月{held_on.day}日"


def time_text(start_time: str) -> str:
    """"09:00" → "9时", "14:30" → "14时30分"."""
    hour, minute = (int(part) for part in start_time.split(":"))
    return f"{hour}时" + (f"{minute}分" if minute else "")


def jobs_text(postings: int) -> str:
    return f"有{postings}个岗位" if postings else "多家单位现场招聘"


def compose_sms(fair: Fair, *, contact: str, signature: str = SIGNATURE) -> tuple[str, dict[str, str], int]:
    """(full text, template parameters in the templates' order, segments); ValueError when it cannot fit."""
    contact = " ".join(contact.split())
    if not contact:
        raise ValueError("a contact is required")
    if len(contact) > PARAM_LIMIT:
        raise ValueError(f"the contact is longer than {PARAM_LIMIT} characters")
    params = {"date": day_text(fair.held_on), "time": time_text(fair.start_time),
              "venue": sms_safe(clip(fair.venue, VENUE_LIMIT)), "jobs": jobs_text(fair.postings), "contact": contact}
    text = signature + render(aliyun_template(), params)
    _, segments = count_sms(text)
    if segments > MAX_SEGMENTS:
        raise ValueError(f"the invitation needs {segments} segments")
    return text, params, segments


def compose_wechat(fair: Fair, *, contact: str) -> dict:
    """{"data": {keyword: {"value"}}, "url": None, "text"}: one line each for the fair, its time, place, contact."""
    values = {"title": fair.title, "when": f"{day_text(fair.held_on)} {fair.start_time}", "venue": fair.venue,
              "contact": " ".join(contact.split())}
    data = {WECHAT_TEMPLATE_KEYS[role]: {"value": clip(value, WECHAT_VALUE_LIMIT)} for role, value in values.items()}
    return {"data": data, "url": None, "text": "\n".join(v["value"] for v in data.values())}
