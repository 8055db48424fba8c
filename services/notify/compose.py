"""Compose a worker's offer messages from a recommendation set: the SMS (text and template parameters), WeChat data.

Providers send approved templates, not free text. The templates assumed (register them with these exact texts):
- Aliyun:  为您推荐：${job1}${job2}${job3}。咨询${contact}。回${picks}了解对应岗位，回0都不合适，回T退订
- Tencent: 为您推荐：{1}{2}{3}。咨询{4}。回{5}了解对应岗位，回0都不合适，回T退订
Each job parameter is one numbered offer line with its own separator ("1.保洁员，北京朝阳，5千-6.5千，包吃住；"); a
missing offer is an empty parameter. `picks` lists the numbers the text gives ("1/2/3", "1/2" or "1"): a reply with
one of them is the worker's interest in that offer, 0 says none fits (services/notify/replies). The provider adds the
signature (【兴安就业】), which counts towards the length.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shared.reference.regions import get_region, in_beijing

SIGNATURE = "【兴安就业】"
OPT_OUT = "回T退订"
# What a worker replies to the offers: any phone can send a digit.
REPLY_HINT = "回${picks}了解对应岗位，回0都不合适，"
SINGLE_SEGMENT = 70  # characters in a one-segment SMS
MULTI_SEGMENT = 67  # characters billed per segment beyond one
JOB_PARAMS = ("job1", "job2", "job3")
SMS_PARAMS = (*JOB_PARAMS, "contact", "picks")
WECHAT_VALUE_LIMIT = 20  # characters shown per keyword line since 2023-05
# Roles → keyword names of the WeChat template assumed ("岗位推荐": 岗位一/岗位二/岗位三/咨询电话).
WECHAT_TEMPLATE_KEYS = {"offer1": "keyword1", "offer2": "keyword2", "offer3": "keyword3", "contact": "keyword4"}


def aliyun_template(opt_out: str = OPT_OUT) -> str:
    """The Aliyun template text the SMS parameters are made for (without the signature)."""
    return "为您推荐：${job1}${job2}${job3}。咨询${contact}。" + REPLY_HINT + opt_out


def tencent_template(opt_out: str = OPT_OUT) -> str:
    """The same template in Tencent's positional form."""
    positions = {name: f"{{{n}}}" for n, name in enumerate(SMS_PARAMS, 1)}
    return render(aliyun_template(opt_out), positions)


def render(template: str, params: Mapping[str, str]) -> str:
    """Fill an Aliyun-style template (${name}) the way the provider does."""
    pieces = _pieces(template)
    return "".join(params[piece] if named else piece for piece, named in zip(pieces, itertools.cycle((False, True))))


@lru_cache(maxsize=64)
def _pieces(template: str) -> tuple[str, ...]:
    """The template's text and its parameters' names, alternately (text first and last, maybe empty)."""
    return tuple(re.split(r"\$\{(\w+)\}", template))


@dataclass(frozen=True)
class Sms:
    text: str  # the full text the phone shows, signature included
    length: int
    segments: int
    params: Mapping[str, str]  # job1, job2, job3, contact, picks, in the templates' order
    numbered: int = 0  # the offers the text numbers (1..numbered): the first ones of the set, in its order

    def aliyun_template_param(self) -> str:
        """Aliyun's `TemplateParam` JSON."""
        return json.dumps(dict(self.params), ensure_ascii=False, separators=(",", ":"))

    def tencent_template_param_set(self) -> list[str]:
        """Tencent's `TemplateParamSet`, {1}…{5} in order."""
        return [self.params[name] for name in SMS_PARAMS]


def count_sms(text: str) -> tuple[int, int]:
    """Return (length, segments) the providers' way: every character counts one; 70 in one segment, else 67 each."""
    length = len(text)
    if length == 0:
        return 0, 0
    return length, 1 if length <= SINGLE_SEGMENT else math.ceil(length / MULTI_SEGMENT)


@dataclass(frozen=True)
class _Style:
    employer: bool
    long_place: bool
    long_wage: bool
    full_title: bool


# Richest first; each step only drops something (so no text grows: a short place name is never longer than the long
# one, nor a compact wage than the full one), and every style keeps each offer's job, place, wage and board.
_STYLES = (_Style(True, True, True, True), _Style(False, True, True, True), _Style(False, True, False, True),
           _Style(False, False, False, True), _Style(False, False, False, False))
# Past the styles, offers lose details: 2nd/3rd to titles, all to titles, then only a count of the rest. The first
# offer always stays, numbered, so that a reply can name it; as the very last resort its title is shortened.
_LAYOUTS = (("full", "title", "title"), ("title", "title", "title"), ("full", "omit", "omit"),
            ("title", "omit", "omit"))
_COMPLETE = ("full", "full", "full")
SHORTEST_TITLE = 3  # characters of a shortened title, "…" included


def compose_sms(items: Sequence[Mapping[str, Any]], *, signature: str = SIGNATURE, contact: str,
                opt_out: str = OPT_OUT, max_segments: int = 3, max_param_length: int | None = None) -> Sms:
    """Compose the offers SMS: the fewest segments that keep every offer's essentials, the richest text within them.

    Only the first three items are sent (the template has three slots), numbered 1..n for the worker's reply.
    `max_param_length` bounds each template parameter where the approved template limits variable length.
    Deterministic; cuts no word, except a first title too long for any other way to fit (shortened with "…").
    """
    offers = [Offer.from_item(item) for item in items[:3]]
    if not offers:
        raise ValueError("no offers to send")
    contact = " ".join(contact.split())
    if not contact:
        raise ValueError("a contact is required")
    template = aliyun_template(opt_out)

    def build(style: _Style, layout: Sequence[str], first_title: str | None = None) -> Sms:
        jobs, numbered = _job_params(offers, style, layout, first_title)
        params = {**jobs, "contact": contact, "picks": "/".join(str(n) for n in range(1, numbered + 1))}
        text = signature + render(template, params)
        return Sms(text, *count_sms(text), params=params, numbered=numbered)

    def fits(sms: Sms) -> bool:
        return sms.segments <= max_segments and (
            max_param_length is None or all(len(v) <= max_param_length for v in sms.params.values()))

    # No style is longer than the one before it (each drops something), so the poorest reaches the fewest segments
    # any can; the richest that reaches them as well wins.
    if fits(poorest := build(_STYLES[-1], _COMPLETE)):
        return next((sms for sms in (build(style, _COMPLETE) for style in _STYLES[:-1])
                     if sms.segments == poorest.segments and fits(sms)), poorest)
    for layout in _LAYOUTS:
        if fits(sms := build(_STYLES[-1], layout)):
            return sms
    core = title_core(offers[0].title)
    shortest = build(_STYLES[-1], ("title", "omit", "omit"), first_title="…")
    limit = SINGLE_SEGMENT if max_segments == 1 else MULTI_SEGMENT * max_segments
    for room in range(min(len(core) - 1, limit - shortest.length + 1), SHORTEST_TITLE - 1, -1):
        if fits(sms := build(_STYLES[-1], ("title", "omit", "omit"), first_title=clip(core, room))):
            return sms
    raise ValueError(f"the contact is too long for {max_segments} segment(s)")


def _job_params(offers: Sequence[Offer], style: _Style, layout: Sequence[str],
                first_title: str | None = None) -> tuple[dict[str, str], int]:
    """The job parameters, and how many offers they number (the shown ones come first: omitted ones are counted)."""
    shown = [(offer, mode) for offer, mode in zip(offers, layout, strict=False) if mode != "omit"]
    omitted = len(offers) - len(shown)
    lines = [f"{n}.{first_title if n == 1 and first_title else _line(o, style, m)}"
             for n, (o, m) in enumerate(shown, 1)]
    if omitted:
        lines.append(f"另有{omitted}个岗位")
    params = dict.fromkeys(JOB_PARAMS, "")
    for index, line in enumerate(lines):
        params[JOB_PARAMS[index]] = sms_safe(line) + ("；" if index < len(lines) - 1 else "")
    return params, len(shown)


def sms_safe(text: str) -> str:
    """Replace 【】 inside a parameter: carriers read 【…】 as a signature, and a message must carry only ours [G]."""
    return text.replace("【", "（").replace("】", "）")


@lru_cache(maxsize=8192)  # pure: a run offers the same postings to many workers, each tried in several styles
def _line(offer: Offer, style: _Style, mode: str) -> str:
    title = offer.title if style.full_title else title_core(offer.title)
    if mode == "title":
        return title
    long_place, short_place = place_names(offer.region_code, offer.region_name)
    parts = [title, offer.employer if style.employer else "", long_place if style.long_place else short_place,
             wage_text(offer.wage_min, offer.wage_max, compact=not style.long_wage), board(offer)]
    return "，".join(part for part in parts if part)


def compose_wechat(items: Sequence[Mapping[str, Any]], *, template_keys: Mapping[str, str] = WECHAT_TEMPLATE_KEYS,
                   link: str | None, contact: str | None = None) -> dict[str, Any]:
    """Compose WeChat template data, one offer per keyword line of at most 20 characters, and the link to the offers.

    `template_keys` maps the roles offer1, offer2, offer3 and contact to the template's keyword names; roles left out
    are not sent. Returns {"data": {keyword: {"value": …}}, "url": link}.
    """
    data: dict[str, dict[str, str]] = {}
    for number, item in enumerate(items[:3], 1):
        if key := template_keys.get(f"offer{number}"):
            data[key] = {"value": _wechat_offer(Offer.from_item(item))}
    if contact and (key := template_keys.get("contact")):
        data[key] = {"value": clip(" ".join(contact.split()), WECHAT_VALUE_LIMIT)}
    return {"data": data, "url": link}


@lru_cache(maxsize=4096)  # pure: a run offers the same postings to many workers
def _wechat_offer(offer: Offer) -> str:
    _, place = place_names(offer.region_code, offer.region_name)
    wage, title, core = wage_text(offer.wage_min, offer.wage_max, compact=True), offer.title, title_core(offer.title)
    # The wage always stays; board or place go before the title is clipped (the link shows the whole offer).
    tails = ["，".join(p for p in parts if p) for parts in ((place, wage, board(offer)), (place, wage),
                                                           (wage, board(offer)))]
    for candidate in (f"{title}，{tails[0]}", *(f"{core}，{tail}" for tail in tails)):
        if len(candidate) <= WECHAT_VALUE_LIMIT:
            return candidate
    for tail in tails:
        if (room := WECHAT_VALUE_LIMIT - len(tail) - 1) >= 4:
            return clip(core, room) + "，" + tail
    return clip(f"{core}，{tails[0]}", WECHAT_VALUE_LIMIT)


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending in "…", cutting at a separator where one is near the end."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = max(head.rfind(mark) for mark in "，,、 ；;/")
    if cut >= limit // 2:
        head = head[:cut]
    return head.rstrip("，,、 ；;/") + "…"


# --- one offer, and the whole-word pieces a line is made of -------------------------------------------------------

@dataclass(frozen=True)
class Offer:
    """The fields of one recommendation item that a worker reads."""

    title: str
    employer: str
    region_code: str
    region_name: str
    wage_min: int
    wage_max: int
    meals: bool
    lodging: bool

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Offer:
        def text(key: str) -> str:
            return " ".join(str(item.get(key) or "").split())  # one line: no newlines or runs of spaces

        return cls(title=text("title"), employer=text("employer"), region_code=text("region_code"),
                   region_name=text("region_name"), wage_min=int(item.get("wage_min") or 0),
                   wage_max=int(item.get("wage_max") or 0), meals=bool(item.get("meals")),
                   lodging=bool(item.get("lodging")))


_BRACKETED = re.compile(r"[（(【\[［〔〈<《][^）)】\]］〕〉>》]*[）)】\]］〕〉>》]")
_TITLE_BREAK = re.compile(r"[\s，,、/／|｜;；:：\-—–·~～+＋]")


@lru_cache(maxsize=4096)  # pure, and asked for each style tried: the same offers come again and again
def title_core(title: str) -> str:
    """The job name without qualifiers: bracketed parts removed, then up to the first separator ("焊工（二保焊）" →
    "焊工"). Only whole parts go, so no word is cut; a title with no usable core stays whole."""
    core = _TITLE_BREAK.split(_BRACKETED.sub("", title).strip(), maxsplit=1)[0]
    return core if len(core) >= 2 else title


@lru_cache(maxsize=4096)  # pure, and asked for each style tried: the same offers come again and again
def place_names(code: str, name: str) -> tuple[str, str]:
    """(long, short) place names; Beijing districts get "北京" in front, since 朝阳 alone is ambiguous. The short one
    is never the longer (a posting may name its place more briefly than the register's short name does)."""
    region = get_region(code)
    long, short = name or (region.name if region else ""), region.short_name if region else name
    if region is not None and in_beijing(code) and region.level == "county":
        long, short = "北京" + long.removeprefix("北京市"), "北京" + short
    return long, short if len(short) <= len(long) else long


@lru_cache(maxsize=4096)  # pure, and asked for each style tried: the same offers come again and again
def wage_text(low: int, high: int, *, compact: bool) -> str:
    """"5000-6500元", or compact "5千-6.5千" (only where exact: 6250 stays 6250); one figure when they agree."""
    if low <= 0:
        return "工资面议" if not compact else "面议"
    amounts = [low] if high <= low else [low, high]
    if not compact:
        return "-".join(map(str, amounts)) + "元"
    if all(a % 100 == 0 for a in amounts):
        return "-".join(_thousands(a) for a in amounts)
    return "-".join(map(str, amounts))


def _thousands(amount: int) -> str:
    if amount >= 10000:
        return f"{amount / 10000:g}万"
    return f"{amount / 1000:g}千" if amount >= 1000 else str(amount)


def board(offer: Offer) -> str:
    return "包吃住" if offer.meals and offer.lodging else "包吃" if offer.meals else "包住" if offer.lodging else ""
