"""Relevance: which postings fit what a worker wants and can do, and in which order of fit.

A posting *fits* a worker (is a relevant, targeted offer) when
  1. the job its occupation (else its title) names is one of the worker's jobs — the jobs the worker's desired
     occupations and skills name, read by shared.reference.vocabulary (电焊, 电焊工, 氩弧焊 and 焊工 are all 焊工), or
  2. the job its title names is one of the worker's jobs (a title may be more precise than its occupation), or
  3. its occupation lies in the same small group of the national classification (GB/T 6565) as one of the worker's
     jobs: the classification's own unit of "the same occupation" (育婴员 and 家政服务员 are both 4-10-01), or
  4. one of the worker's words is close to the posting's text: cosine of character 1–2-gram TF-IDF vectors (sparse,
     scikit-learn's analyzer="char") at least TEXT_FIT — this catches postings whose words no table knows; or a
     desired word that no step of the vocabulary reads, and the posting lies in the small group whose text is most
     like that word (Vocabulary.nearest_group), so that an unseen phrase still lands near its trade; or
  5. it is a public-welfare post within the half-hour circle and the worker cannot take regular work (weak or no
     labour capacity) or has no fitting regular post within reach (docs/domain.md, rule 4; the lanes add it).

The order of fit (docs/matching.md): every source belongs to a *tier*, and a higher tier always comes first,
whatever the place, wage or priority scores say:
  tier 2  public-welfare posts near home, for those they lead for (5.)
  tier 1  what the worker asked for: its desired occupations, by 1.–4.
  tier 0  what the worker can do but did not ask for: its skills, by 1.–4.
Where the employer gave an occupation code, it files the posting: a reading of its occupation or title in another small
group counts for neither 1. nor 2.

Within a tier the score orders (relevance, place, wage, a workshop near home). Everything else is at best *related*
(same middle group, or a skill the posting asks for is one of the worker's jobs): the first rung of the relaxation
ladder, never a fitting offer.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from services.matching.ranking.model import PostingView
from shared.reference.occupations import get_occupation
from shared.reference.vocabulary import Vocabulary

# Relevance of each way of fitting inside its tier: the job itself counts most, a title-only reading less, another
# job of the same small group less again, text similarity least. Desired words and skill words weigh alike: the tier
# already puts what the worker asked for first.
REL_JOB, REL_TITLE, REL_GROUP, REL_WELFARE = 1.0, 0.9, 0.6, 1.0
REL_TEXT_MIN, REL_TEXT_MAX = 0.4, 0.55
# Cosine between one worker word (2–4 characters) and a posting's text at which the text alone makes a fit:
# 电焊 against "钢结构焊接 电焊" passes, 绣花 against "刺绣工" (one shared character) does not.
TEXT_FIT = 0.5

# Why an item fits, as stored beside it (the piece that matched is kept too, to say it in the reasons).
DESIRED, SKILL, TITLE_DESIRED, TITLE_SKILL, TEXT, WELFARE, GROUP_DESIRED, GROUP_SKILL, TEXT_SKILL = range(1, 10)
KIND_SHIFT = 8  # source code = kind << KIND_SHIFT | index of the worker's word
ASKED_KINDS = frozenset({DESIRED, TITLE_DESIRED, GROUP_DESIRED, TEXT})
# The tiers of the order of fit (see the module's docstring), and how far apart they are put in a score: more than
# the whole range of the score inside a tier, so that no place, wage or priority lifts an item above a higher tier.
TIER_SKILL, TIER_ASKED, TIER_LEADING = 0, 1, 2
TIER_STEP = 2.0


def tier_of_kind(kind: int) -> int:
    """The tier of a way of fitting: welfare posts that lead, what the worker asked for, what it can do."""
    if kind == WELFARE:
        return TIER_LEADING
    return TIER_ASKED if kind in ASKED_KINDS else TIER_SKILL


def tier_of_code(code: int) -> int:
    return tier_of_kind(code >> KIND_SHIFT)


_TIER_BY_KIND = np.array([tier_of_kind(kind) for kind in range(1 << 4)], dtype=np.int32)


def tiers_of(codes: np.ndarray) -> np.ndarray:
    """The tier of each source code, at once."""
    return _TIER_BY_KIND[codes >> KIND_SHIFT]


# How an item fits, as the API says it: welfare that leads, what the worker asked for, a skill, or relaxed.
FIT_NAMES = {TIER_LEADING: "welfare", TIER_ASKED: "desired", TIER_SKILL: "skill"}
FIT_TIERS = {name: tier for tier, name in FIT_NAMES.items()}


def fit_name(lead: int) -> str:
    """The fit of an item from its lead (its source code, or minus its relaxation rung)."""
    return "relaxed" if lead < 0 else FIT_NAMES[tier_of_code(lead)]

_NOT_WORD = re.compile(r"[\W_]+")


class Readings:
    """Texts read as (canonical job, 大典 small-group code) through one vocabulary, cached per text."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._jobs: dict[str, tuple[str | None, str | None]] = {}

    def job_of(self, text: str) -> tuple[str | None, str | None]:
        """(canonical job, 大典 small-group code) a free text names, or (None, None)."""
        if (found := self._jobs.get(text)) is None:
            reading = self.vocabulary.read(text) if text else None
            found = self._jobs[text] = (None, None) if reading is None else (reading.job, reading.code)
        return found

    def job_in_words(self, skills: tuple[str, ...], description: str | None) -> tuple[str | None, str | None]:
        """The job a lexicon word of the skills, else of the description, names (no guessing on long text)."""
        for text in (*skills, description or ""):
            reading = self.vocabulary.read(text) if text else None
            if reading is not None and reading.via in ("exact", "taught", "contained"):
                return reading.job, reading.code
        return None, None


def small_group_of_code(code: str | None) -> str | None:
    """The small group of an occupation code (大典 or 5-digit, detailed 8-digit codes cut to their group)."""
    if not code:
        return None
    code = code.strip()
    parts = code.split("-")
    occupation = get_occupation("-".join(parts[:3]) if len(parts) > 3 else code)
    if occupation is None or occupation.level != "small":
        return None
    return occupation.code


def middle_of(small: str | None) -> str | None:
    return small.rsplit("-", 1)[0] if small else None


# A canonical job, or ("small" | "middle", an occupation-group code): groups never collide with job names.
IdKey = str | tuple[str, str | None]


class Ids:
    """Canonical jobs and occupation groups as small integers, so that postings can be indexed by them."""

    def __init__(self) -> None:
        self.ids: dict[IdKey, int] = {}

    def id(self, name: IdKey | None) -> int:
        if name is None:
            return -1
        return self.ids.setdefault(name, len(self.ids))

    def get(self, name: IdKey | None) -> int:
        return self.ids.get(name, -1) if name is not None else -1


@dataclass(frozen=True)
class PostingJobs:
    """How each posting reads: its job, its title's job, its groups, the jobs its skills name; and inverted indexes."""

    vocabulary: Ids
    job: np.ndarray  # job id of the occupation (else code, else title) reading; -1 unknown
    title_job: np.ndarray  # job id of the title reading when it differs from `job`; -1 otherwise
    small: np.ndarray  # small-group id; -1 unknown
    middle: np.ndarray  # middle-group id; -1 unknown
    skill_jobs: list[frozenset[int]]
    by_job: dict[int, np.ndarray]  # job id -> rows whose `job` it is
    by_title_job: dict[int, np.ndarray]
    by_skill_job: dict[int, np.ndarray]  # job id -> rows asking for a skill that names it
    by_group: dict[int, np.ndarray]  # small- or middle-group id -> rows of that group
    small_codes: list[str | None]  # 大典 small-group code of each posting

    @classmethod
    def build(cls, postings: list[PostingView], readings: Readings) -> PostingJobs:
        vocabulary = Ids()
        job, title_job, small, middle, skill_jobs, codes = [], [], [], [], [], []
        for p in postings:
            occupation_job, occupation_small = readings.job_of(p.occupation) if p.occupation else (None, None)
            title_reading, title_small = readings.job_of(p.title)
            code_small = small_group_of_code(p.occupation_code)
            if code_small:
                # The employer's own code files the posting: a reading of its words in another small group is a
                # misreading (or a loose title), not the posting's job; it still fits that group's workers by group.
                if occupation_small != code_small:
                    occupation_job = None
                if title_small != code_small:
                    title_reading = None
            # A title no table knows ("钢结构焊接") may still ask for a known skill or say the job in its description.
            main = occupation_job or title_reading
            group = code_small or occupation_small or title_small
            if main is None:
                main, described_small = readings.job_in_words(p.skills, p.description)
                if code_small and described_small != code_small:
                    main = None
                group = group or described_small
            job.append(vocabulary.id(main))
            title_job.append(vocabulary.id(title_reading) if title_reading and title_reading != main else -1)
            small.append(vocabulary.id(("small", group)) if group else -1)
            middle.append(vocabulary.id(("middle", middle_of(group))) if group else -1)
            skill_jobs.append(frozenset(vocabulary.id(j) for s in p.skills if (j := readings.job_of(s)[0]) is not None))
            codes.append(group)
        job_a = np.array(job, dtype=np.int32)
        title_a = np.array(title_job, dtype=np.int32)
        return cls(
            vocabulary=vocabulary,
            job=job_a,
            title_job=title_a,
            small=np.array(small, dtype=np.int32),
            middle=np.array(middle, dtype=np.int32),
            skill_jobs=skill_jobs,
            by_job=_inverted(job_a),
            by_title_job=_inverted(title_a),
            by_skill_job=_inverted_sets(skill_jobs),
            by_group={**_inverted(np.array(small, dtype=np.int32)), **_inverted(np.array(middle, dtype=np.int32))},
            small_codes=codes,
        )


def _inverted(ids: np.ndarray) -> dict[int, np.ndarray]:
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    bounds = np.flatnonzero(np.diff(sorted_ids)) + 1
    out: dict[int, np.ndarray] = {}
    for chunk in np.split(order.astype(np.int32), bounds):
        if len(chunk) and ids[chunk[0]] >= 0:
            out[int(ids[chunk[0]])] = chunk
    return out


def _inverted_sets(sets: list[frozenset[int]]) -> dict[int, np.ndarray]:
    rows: defaultdict[int, list[int]] = defaultdict(list)
    for row, ids in enumerate(sets):
        for job in ids:
            rows[job].append(row)
    return {job: np.array(found, dtype=np.int32) for job, found in rows.items()}


def posting_text(p: PostingView) -> str:
    # Title, occupation and skills twice: they name the job; the description only describes it.
    head = " ".join((p.title, p.occupation or "", *p.skills))
    return f"{head} {head} {p.description or ''}"


class TextIndex:
    """Character 1–2-gram TF-IDF of the postings (sparse), and the postings close to one short worker word."""

    def __init__(self, postings: list[PostingView]) -> None:
        self.size = len(postings)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True,
                                          dtype=np.float32, min_df=1)
        if postings:
            matrix = self.vectorizer.fit_transform([posting_text(p) for p in postings])
            self.by_term = matrix.T.tocsr()  # term -> postings: a word touches only the postings sharing its n-grams
            self.vocabulary = self.vectorizer.vocabulary_
            self.idf = self.vectorizer.idf_.astype(np.float32)
        else:
            self.by_term, self.vocabulary, self.idf = None, {}, np.zeros(0, dtype=np.float32)
        self._hits: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def vector(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, weights) of a word, as the fitted vectorizer would weigh it (l2-normalised)."""
        text = word.lower()
        grams = Counter(text) + Counter(text[i:i + 2] for i in range(len(text) - 1))
        terms, weights = [], []
        for gram, count in grams.items():
            if (term := self.vocabulary.get(gram)) is not None:
                terms.append(term)
                weights.append((1.0 + math.log(count)) * self.idf[term])
        weights_a = np.array(weights, dtype=np.float32)
        norm = float(np.sqrt((weights_a ** 2).sum())) if weights else 0.0
        return np.array(terms, dtype=np.int32), (weights_a / norm if norm else weights_a)

    def similar(self, word: str, *, at_least: float = TEXT_FIT) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosine) of the postings whose text is at least `at_least` close to the word, rows ascending."""
        key = _NOT_WORD.sub("", word)
        cache_key = f"{at_least:.3f}|{key}"
        if (found := self._hits.get(cache_key)) is not None:
            return found
        terms, weights = self.vector(key)
        if not len(terms) or self.by_term is None:
            found = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        else:
            query = sparse.csr_matrix((weights, terms, [0, len(terms)]), shape=(1, self.by_term.shape[0]))
            sims = (query @ self.by_term).tocsr()
            keep = sims.data >= at_least
            rows = sims.indices[keep].astype(np.int32)
            order = np.argsort(rows)
            found = (rows[order], sims.data[keep][order].astype(np.float32))
        self._hits[cache_key] = found
        return found


@dataclass(frozen=True)
class Source:
    """One way postings fit a worker: the postings of one job (by occupation or by title), or one word's text hits."""

    key: tuple  # what the postings depend on, shared by every worker with the same job or word (and tier)
    rows: np.ndarray  # ascending
    relevance: np.ndarray  # per row
    tier: int = TIER_SKILL  # the order of fit: a higher tier always comes first


@dataclass(frozen=True)
class Profile:
    """How a worker's words fit the postings: the sources, and the words and jobs they name."""

    sources: tuple[Source, ...]
    codes: tuple[int, ...]  # per source, why its postings fit: kind << KIND_SHIFT | index of the worker's word
    words: tuple[str, ...]  # desired words then skill words, as a source code's word index counts them
    jobs: tuple[str | None, ...]  # the canonical job each word names
    job_ids: frozenset[int]
    small_ids: frozenset[int]
    middle_ids: frozenset[int]
    # Small groups whose text is nearest to an asked-for word that no step reads: a guess for the ladder (relaxed
    # offers), never a fit.
    guessed_ids: frozenset[int] = frozenset()
    asked_small_ids: frozenset[int] = frozenset()  # the small groups of the asked-for words that are read
    heads: dict = field(default_factory=dict, compare=False)  # the ranker's first reasons, made once per profile

    @cached_property
    def merged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows ascending, relevance, source code) over all sources, each row with its best way of fitting: the
        highest tier, then the highest relevance."""
        if not self.sources:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32)
        rows = np.concatenate([s.rows for s in self.sources])
        rels = np.concatenate([s.relevance for s in self.sources])
        codes = np.concatenate([np.full(len(s.rows), c, dtype=np.int32) for s, c in zip(self.sources, self.codes)])
        tiers = np.concatenate([np.full(len(s.rows), s.tier, dtype=np.int32) for s in self.sources])
        order = np.lexsort((-rels, -tiers, rows))
        rows, rels, codes = rows[order], rels[order], codes[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        return rows[first], rels[first], codes[first]


class Relevance:
    """Profiles of worker words over the postings of one index, cached: many workers share the same words."""

    def __init__(self, jobs: PostingJobs, text: TextIndex, readings: Readings) -> None:
        self.jobs = jobs
        self.text = text
        self.readings = readings
        self._profiles: dict[tuple[tuple[str, ...], tuple[str, ...]], Profile] = {}
        self._sources: dict[tuple, Source | None] = {}
        self._near: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._words: dict[str, tuple[str | None, int, int, int]] = {}

    def profile(self, desired: tuple[str, ...], skills: tuple[str, ...]) -> Profile:
        key = (desired, skills)
        if (found := self._profiles.get(key)) is None:
            if len(self._profiles) > 200_000:  # a bound on memory for very long-lived indexes
                self._profiles.clear()
            found = self._profiles[key] = self._build(desired, skills)
        return found

    def _build(self, desired: tuple[str, ...], skills: tuple[str, ...]) -> Profile:
        words = desired + skills
        readings = [self._word(w) for w in words]
        sources: list[Source] = []
        codes: list[int] = []
        job_ids: list[int] = []
        small_ids: set[int] = set()
        asked_small: set[int] = set()
        middle_ids: set[int] = set()
        groups_seen: set[int] = set()
        for i, (_, job_id, small_id, middle_id) in enumerate(readings):
            asked = i < len(desired)
            tier = TIER_ASKED if asked else TIER_SKILL
            small_ids.add(small_id)
            if asked:
                asked_small.add(small_id)
            middle_ids.add(middle_id)
            ways = []
            if job_id >= 0 and job_id not in job_ids:  # the first word naming a job speaks for it
                job_ids.append(job_id)
                ways += [("job", job_id, REL_JOB, DESIRED if asked else SKILL),
                         ("title", job_id, REL_TITLE, TITLE_DESIRED if asked else TITLE_SKILL)]
            if small_id >= 0 and small_id not in groups_seen:
                groups_seen.add(small_id)
                ways.append(("group", small_id, REL_GROUP, GROUP_DESIRED if asked else GROUP_SKILL))
            for name, ident, rel, kind in ways:
                if (source := self._index_source(name, ident, rel, tier, job_id)) is not None:
                    sources.append(source)
                    codes.append(kind << KIND_SHIFT | i)
        guessed: set[int] = set()
        for i, word in enumerate(words):
            asked = i < len(desired)
            if readings[i][1] >= 0 or readings[i][2] >= 0:
                continue  # read as a job: its job and group say what fits; text likeness would only add other trades
            if asked and (group := self.readings.vocabulary.nearest_group(word)) is not None:
                # An unread wish still lands near its trade: the posts of the group whose text is most like it, as
                # near posts (相近岗位, the least relevance of the tier), before what the worker can do (5. above).
                near = self.jobs.vocabulary.get(("small", group.code))
                guessed.add(near)
                if near >= 0 and (source := self._index_source("group", near, REL_TEXT_MIN, TIER_ASKED, -1)) \
                        is not None:
                    sources.append(source)
                    codes.append(TEXT << KIND_SHIFT | i)
            if (source := self._text_source(word, TIER_ASKED if asked else TIER_SKILL)) is not None:
                sources.append(source)
                codes.append((TEXT if asked else TEXT_SKILL) << KIND_SHIFT | i)
        small_ids.discard(-1)
        middle_ids.discard(-1)
        guessed.discard(-1)
        asked_small.discard(-1)
        # Sources may overlap (a posting of one of the worker's jobs titled as another, or written like a word):
        # the ranker keeps each posting once, with its best way of fitting.
        return Profile(sources=tuple(sources), codes=tuple(codes), words=words,
                       jobs=tuple(job for job, *_ in readings), job_ids=frozenset(job_ids),
                       small_ids=frozenset(small_ids), middle_ids=frozenset(middle_ids),
                       guessed_ids=frozenset(guessed), asked_small_ids=frozenset(asked_small))

    def _word(self, word: str) -> tuple[str | None, int, int, int]:
        """(canonical job, its id, small-group id, middle-group id) a worker's word names; ids -1 when unknown."""
        if (found := self._words.get(word)) is None:
            job, small = self.readings.job_of(word)
            vocab = self.jobs.vocabulary
            found = self._words[word] = (job, vocab.get(job), vocab.get(("small", small)) if small else -1,
                                         vocab.get(("middle", middle_of(small))) if small else -1)
        return found

    def near_text(self, profile: Profile, asked: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows ascending, best cosine) of the postings whose text is at least NEAR_TEXT like one of the first
        `asked` words of the profile (what the worker asked for; all its words when it asked for nothing)."""
        words = profile.words[:asked] if asked else profile.words
        key = ("near", words)
        if (found := self._near.get(key)) is None:
            hits = [self.text.similar(word, at_least=NEAR_TEXT) for word in words]
            hits = [(rows, sims) for rows, sims in hits if len(rows)]
            if not hits:
                found = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
            else:
                rows = np.concatenate([r for r, _ in hits])
                sims = np.concatenate([s for _, s in hits])
                order = np.lexsort((-sims, rows))
                rows, sims = rows[order], sims[order]
                first = np.ones(len(rows), dtype=bool)
                first[1:] = rows[1:] != rows[:-1]
                found = (rows[first], sims[first])
            if len(self._near) > 100_000:
                self._near.clear()
            self._near[key] = found
        return found

    def _index_source(self, name: str, ident: int, rel: float, tier: int, job_id: int) -> Source | None:
        """The postings of one job (by occupation or by title) or of one small group, in one tier; a group's without
        those of the word's own job (its job and title sources hold them), so that sources of one word never overlap."""
        key = (name, ident, rel, tier, job_id if name == "group" else -1)
        if key not in self._sources:
            index = {"job": self.jobs.by_job, "title": self.jobs.by_title_job, "group": self.jobs.by_group}[name]
            rows = index.get(ident)
            if rows is not None and name == "group" and job_id >= 0:
                rows = rows[(self.jobs.job[rows] != job_id) & (self.jobs.title_job[rows] != job_id)]
            self._sources[key] = None if rows is None or not len(rows) else \
                Source(key, rows, np.full(len(rows), rel, np.float32), tier)
        return self._sources[key]

    def _text_source(self, word: str, tier: int) -> Source | None:
        """The postings a word fits by text alone: close enough, and not of the job the word itself names."""
        key = ("text", _NOT_WORD.sub("", word), tier)
        if key not in self._sources:
            rows, sims = self.text.similar(word)
            job, small = self.readings.job_of(word)
            own = self.jobs.vocabulary.get(job)
            group = self.jobs.vocabulary.get(("small", small)) if small else -1
            if len(rows) and (own >= 0 or group >= 0):
                # Those are the word's job, title and group sources already, with a higher relevance.
                other = (self.jobs.job[rows] != own) & (self.jobs.title_job[rows] != own) & (self.jobs.small[rows] != group)
                rows, sims = rows[other], sims[other]
            scaled = REL_TEXT_MIN + (REL_TEXT_MAX - REL_TEXT_MIN) * (sims - TEXT_FIT) / (1.0 - TEXT_FIT)
            self._sources[key] = Source(key, rows, np.minimum(scaled, REL_TEXT_MAX).astype(np.float32), tier) \
                if len(rows) else None
        return self._sources[key]


# Cosine between a worker's desired word and a posting's text at which the posting counts as related (rung 1 of
# the ladder): likeness short of a fit (TEXT_FIT), enough to put the posting before unrelated ones.
NEAR_TEXT = 0.2


def related_mask(jobs: PostingJobs, profile: Profile) -> np.ndarray:
    """Over every posting: related to the worker's jobs (same small or middle group, or asks for a skill naming one)."""
    out = np.zeros(len(jobs.job), dtype=bool)
    if profile.small_ids:
        out |= np.isin(jobs.small, np.fromiter(profile.small_ids, dtype=np.int32))
    if profile.middle_ids:
        out |= np.isin(jobs.middle, np.fromiter(profile.middle_ids, dtype=np.int32))
    for job in profile.job_ids:
        if (rows := jobs.by_skill_job.get(job)) is not None:
            out[rows] = True
    return out


def related_rows(jobs: PostingJobs, profile: Profile) -> np.ndarray:
    """The rows related_mask marks, from the group and skill indexes (ascending, no repeats)."""
    parts = [jobs.by_group[g] for g in (*profile.small_ids, *profile.middle_ids) if g in jobs.by_group]
    parts += [jobs.by_skill_job[j] for j in profile.job_ids if j in jobs.by_skill_job]
    if not parts:
        return np.zeros(0, dtype=np.int32)
    rows = np.sort(np.concatenate(parts))
    keep = np.ones(len(rows), dtype=bool)
    keep[1:] = rows[1:] != rows[:-1]
    return rows[keep]


def guessed_rows(jobs: PostingJobs, profile: Profile) -> np.ndarray:
    """The rows of the small groups guessed for a worker's unread words (ascending, no repeats)."""
    parts = [jobs.by_group[g] for g in profile.guessed_ids if g in jobs.by_group]
    return np.unique(np.concatenate(parts)).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)
