"""Certificate names as staff and employers write them, read as one key, and which held keys satisfy a required one.

Matching is exact after cleaning, plus two small explicit tables: ALIASES (other names of the same certificate) and
DRIVING_COVERS (a driving licence also entitles its holder to the classes listed for it). Nothing is guessed by
similarity: a wrong "yes" here would push a worker to a job he may not legally do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from shared.reference.occupations import normalise

# 准驾车型 of 《机动车驾驶证申领和使用规定》 (公安部令第162号, annex 1): the classes each licence class may also drive.
# A1 does not cover A2, and B1 does not cover B2: a bus licence is not a truck licence.
DRIVING_COVERS: dict[str, frozenset[str]] = {
    "A1": frozenset({"A3", "B1", "B2", "C1", "C2", "C3", "C4"}),
    "A2": frozenset({"B1", "B2", "C1", "C2", "C3", "C4"}),
    "A3": frozenset({"C1", "C2", "C3", "C4"}),
    "B1": frozenset({"C1", "C2", "C3", "C4"}),
    "B2": frozenset({"C1", "C2", "C3", "C4"}),
    "C1": frozenset({"C2", "C3"}),
    "C2": frozenset(),
    "C3": frozenset({"C4"}),
    "C4": frozenset(),
}

# Other names of one certificate, as cleaned by certificate_key (lower case, no brackets or punctuation).
ALIASES: dict[str, str] = {
    "健康证明": "健康证",
    "食品健康证": "健康证",
    "从业人员健康证": "健康证",
    "健康合格证": "健康证",
    "电焊证": "焊工证",
    "电焊工证": "焊工证",
    "焊工操作证": "焊工证",
    "特种作业操作证焊接与热切割作业": "焊工证",
    "特种作业操作证焊接与热切割": "焊工证",
    "电工操作证": "电工证",
    "低压电工证": "电工证",
    "特种作业操作证低压电工作业": "电工证",
    "特种作业操作证电工作业": "电工证",
    "保安证": "保安员证",
    "保安资格证": "保安员证",
    "保安员资格证": "保安员证",
    "育婴师证": "育婴员证",
    "叉车证": "叉车司机证",
}

_LEVEL_NOTE = re.compile(r"[（(【\[](?:初级|中级|高级|技师|高级技师|[一二三四五]级)[）)】\]]")
_BRACKETS = re.compile(r"[（）()【】\[\]〔〕<>《》]")
_DRIVING = re.compile(r"驾驶证|驾照|驾驶执照|驾驶本")
_DRIVING_CLASS = re.compile(r"([abc][1-4])")


@cache
def certificate_key(text: str) -> str:
    """Read a certificate name as its key: '驾驶证（B2）', 'B2驾照' -> '驾驶证B2'; '健康证明' -> '健康证'."""
    cleaned = unicodedata.normalize("NFKC", text).lower()
    # A level (初级, 三级) qualifies a certificate; other bracketed words name it (特种作业操作证（焊接与热切割）).
    cleaned = _BRACKETS.sub("", _LEVEL_NOTE.sub("", cleaned))
    cleaned = normalise(cleaned)
    if _DRIVING.search(cleaned) and (found := _DRIVING_CLASS.search(cleaned)):
        return "驾驶证" + found.group(1).upper()
    return ALIASES.get(cleaned, cleaned)


def held_keys(certificates: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Every key a worker's certificates satisfy: their own, and the driving classes they cover."""
    keys = {certificate_key(c) for c in certificates if c and c.strip()}
    for key in list(keys):
        if key.startswith("驾驶证") and key[3:] in DRIVING_COVERS:
            keys |= {"驾驶证" + covered for covered in DRIVING_COVERS[key[3:]]}
    keys.discard("")
    return frozenset(keys)
