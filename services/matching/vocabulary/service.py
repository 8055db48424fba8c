"""Teaching the vocabulary: phrases mapped to occupations by staff, the phrases nothing reads, how one reads."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.readmodels.models import Generation, WorkerRecord
from services.matching.vocabulary.models import PhraseChange, TaughtPhrase
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.workers import WorkerSnapshot
from shared.db import rows_touched
from shared.errors import Invalid, NotFound
from shared.reference.occupations import get_occupation, normalise
from shared.reference.vocabulary import Reading, Vocabulary, taught_term

VOCABULARY = "vocabulary"  # the generation counter a change bumps, so every process rebuilds its ranker


def phrase_key(phrase: str) -> str:
    """The phrase as the vocabulary compares it; 422 when nothing is left of it."""
    key = normalise(phrase)
    if not key or len(key) > 64:
        raise Invalid("a phrase has 1 to 64 characters", field="phrase", zh="短语须为1到64个字")
    return key


async def teach(*, session: AsyncSession, phrase: str, code: str, by: Principal, clock: Clock) -> TaughtPhrase:
    """Map a phrase to an occupation (a small group or a detailed occupation); audited, effective at once."""
    key = phrase_key(phrase)
    if taught_term(key, code) is None:
        raise Invalid(f"{code} is no small group or occupation of the classification", field="occupation_code",
                      zh=f"职业代码{code}不是职业分类大典中的小类或职业")
    row = await session.get(TaughtPhrase, key, with_for_update=True)
    before = row.occupation_code if row is not None else None
    if row is None:
        row = TaughtPhrase(phrase=key, occupation_code=code, taught_by=by.sub, taught_at=clock.now())
        session.add(row)
    else:
        row.occupation_code, row.taught_by, row.taught_at = code, by.sub, clock.now()
    if before != code:
        session.add(PhraseChange(phrase=key, before=before, after=code, by=by.sub, at=clock.now()))
        await _bump(session)
    await session.flush()
    return row


async def forget(*, session: AsyncSession, phrase: str, by: Principal, clock: Clock) -> None:
    """Remove a taught phrase; audited."""
    row = await session.get(TaughtPhrase, phrase_key(phrase), with_for_update=True)
    if row is None:
        raise NotFound("no such taught phrase", zh="没有教过这个短语")
    session.add(PhraseChange(phrase=row.phrase, before=row.occupation_code, after=None, by=by.sub, at=clock.now()))
    await session.delete(row)
    await _bump(session)
    await session.flush()


async def changes(*, session: AsyncSession, limit: int) -> list[PhraseChange]:
    return list(await session.scalars(select(PhraseChange).order_by(PhraseChange.id.desc()).limit(limit)))


async def unmapped(*, session: AsyncSession, vocabulary: Vocabulary, by: Principal, limit: int) -> list[dict]:
    """The phrases of seeking workers in the caller's scope that no step of the vocabulary reads, most used first."""
    query = select(WorkerRecord.home_region_code, WorkerRecord.snapshot).where(WorkerRecord.status == "seeking")
    if not by.is_admin:
        query = query.where(WorkerRecord.home_region_code.startswith(by.region or "-", autoescape=True))
    desired: Counter[str] = Counter()
    skills: Counter[str] = Counter()
    for _, snapshot in (await session.execute(query)).all():
        worker = WorkerSnapshot.model_validate(snapshot)
        for counter, texts in ((desired, worker.desired_occupations), (skills, worker.skills)):
            for text in set(texts):
                if text and text.strip() and vocabulary.read(text) is None:
                    counter[text.strip()] += 1
    phrases = Counter(desired) + Counter(skills)
    return [{"phrase": phrase, "workers": count, "as_desired": desired[phrase], "as_skill": skills[phrase]}
            for phrase, count in sorted(phrases.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def reading_body(phrase: str, reading: Reading | None) -> dict:
    if reading is None:
        return {"phrase": phrase, "read": False}
    return {"phrase": phrase, "read": True, "job": reading.job, "occupation_code": reading.code,
            "occupation_name": reading.occupation.name, "via": reading.via, "score": reading.score}


def taught_body(row: TaughtPhrase) -> dict:
    term = taught_term(row.phrase, row.occupation_code)
    group = get_occupation(term.code) if term else None
    return {"phrase": row.phrase, "occupation_code": row.occupation_code, "job": term.job if term else "",
            "small_group": group.code if group else "", "small_group_name": group.name if group else "",
            "taught_by": row.taught_by, "taught_at": row.taught_at}


async def _bump(session: AsyncSession) -> None:
    done = await session.execute(update(Generation).where(Generation.name == VOCABULARY)
                                 .values(value=Generation.value + 1))
    if not rows_touched(done):
        session.add(Generation(name=VOCABULARY, value=1))


async def taught_rows(session: AsyncSession) -> list[TaughtPhrase]:
    return list(await session.scalars(select(TaughtPhrase).order_by(TaughtPhrase.phrase)))
