"""Relevance: which postings fit what a worker can do and wants, read through canonical jobs and character n-grams.

A posting *fits* a worker (is a relevant, targeted offer) when
  1. the job its occupation (else its occupation code, else its title) names is one of the worker's jobs — the jobs
     the worker's desired occupations and skills name, read through the synonym table of shared.reference
     (电焊, 电焊工, 氩弧焊 and 焊工 are all 焊工), or
  2. the job its title names is one of the worker's jobs (a title may be more precise than its occupation), or
  3. one of the worker's words is close to the posting's text: cosine of character 1–2-gram TF-IDF vectors (sparse,
     scikit-learn's analyzer="char") at least TEXT_FIT — this catches postings whose words no table knows, or a
     posting of another job written like the worker's word (the word's own job comes through rule 1), or
  4. it is a public-welfare post within the half-hour circle and the worker cannot leave home (docs/domain.md,
     rule 4; added by the ranker, which knows the distance).
Everything else is at best *related* (same small or middle occupation group, or a skill the posting asks for is one
of the worker's jobs): the first rung of the relaxation ladder, never a fitting offer.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from services.matching.ranking.model import PostingView
from shared.reference.occupations import get_occupation, lookup_occupation

# Relevance of each way of fitting; the desired job counts most, a skill a little less (the worker can do it but
# did not ask for it), a title-only reading less again, text similarity least.
REL_DESIRED, REL_SKILL, REL_TITLE_DESIRED, REL_TITLE_SKILL, REL_WELFARE = 1.0, 0.9, 0.85, 0.8, 1.0
REL_TEXT_MIN, REL_TEXT_MAX = 0.55, 0.8
# Cosine between one worker word (2–4 characters) and a posting's text at which the text alone makes a fit:
# 电焊 against "钢结构焊接 电焊" passes, 绣花 against "刺绣工" (one shared character) does not.
TEXT_FIT = 0.5

# Why an item fits, as stored beside it (the piece that matched is kept too, to say it in the reasons).
DESIRED, SKILL, TITLE_DESIRED, TITLE_SKILL, TEXT, WELFARE = 1, 2, 3, 4, 5, 6
KIND_SHIFT = 8  # source code = kind << KIND_SHIFT | index of the worker's word

_NOT_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=65536)
def job_of(text: str) -> tuple[str | None, str | None]:
    """(canonical job, 大典 small-group code) a free text names, or (None, None)."""
    match = lookup_occupation(text) if text else None
    if match is None:
        return None, None
    return match.job, match.occupation.code


def _job_in_words(skills: tuple[str, ...], description: str | None) -> tuple[str | None, str | None]:
    """The job an exact synonym in the skills, else in the description, names (no fuzzy reading of long text)."""
    for text in (*skills, description or ""):
        if text and (match := lookup_occupation(text)) is not None and match.via == "synonym":
            return match.job, match.occupation.code
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
VocabularyKey = str | tuple[str, str | None]


class Vocabulary:
    """Canonical jobs and occupation groups as small integers, so that postings can be indexed by them."""

    def __init__(self) -> None:
        self.ids: dict[VocabularyKey, int] = {}

    def id(self, name: VocabularyKey | None) -> int:
        if name is None:
            return -1
        return self.ids.setdefault(name, len(self.ids))

    def get(self, name: VocabularyKey | None) -> int:
        return self.ids.get(name, -1) if name is not None else -1


@dataclass(frozen=True)
class PostingJobs:
    """How each posting reads: its job, its title's job, its groups, the jobs its skills name; and inverted indexes."""

    vocabulary: Vocabulary
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
    def build(cls, postings: list[PostingView]) -> PostingJobs:
        vocabulary = Vocabulary()
        job, title_job, small, middle, skill_jobs, codes = [], [], [], [], [], []
        for p in postings:
            occupation_job, occupation_small = job_of(p.occupation) if p.occupation else (None, None)
            title_reading, title_small = job_of(p.title)
            code_small = small_group_of_code(p.occupation_code)
            # A title no table knows ("钢结构焊接") may still ask for a known skill or say the job in its description.
            main = occupation_job or title_reading
            group = code_small or occupation_small or title_small
            if main is None:
                main, described_small = _job_in_words(p.skills, p.description)
                group = group or described_small
            job.append(vocabulary.id(main))
            title_job.append(vocabulary.id(title_reading) if title_reading and title_reading != main else -1)
            small.append(vocabulary.id(("small", group)) if group else -1)
            middle.append(vocabulary.id(("middle", middle_of(group))) if group else -1)
            skill_jobs.append(frozenset(vocabulary.id(j) for s in p.skills if (j := job_of(s)[0]) is not None))
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

    key: tuple  # what the postings depend on, shared by every worker with the same job or word
    rows: np.ndarray  # ascending
    relevance: np.ndarray  # per row


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
    heads: dict = field(default_factory=dict, compare=False)  # the ranker's first reasons, made once per profile

    @cached_property
    def merged(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows ascending, relevance, source code) over all sources, each row with its strongest way of fitting."""
        if not self.sources:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32)
        rows = np.concatenate([s.rows for s in self.sources])
        rels = np.concatenate([s.relevance for s in self.sources])
        codes = np.concatenate([np.full(len(s.rows), c, dtype=np.int32) for s, c in zip(self.sources, self.codes)])
        order = np.lexsort((-rels, rows))
        rows, rels, codes = rows[order], rels[order], codes[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        return rows[first], rels[first], codes[first]


class Relevance:
    """Profiles of worker words over the postings of one index, cached: many workers share the same words."""

    def __init__(self, jobs: PostingJobs, text: TextIndex) -> None:
        self.jobs = jobs
        self.text = text
        self._profiles: dict[tuple[tuple[str, ...], tuple[str, ...]], Profile] = {}
        self._sources: dict[tuple, Source | None] = {}
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
        middle_ids: set[int] = set()
        for i, (_, job_id, small_id, middle_id) in enumerate(readings):
            is_desired = i < len(desired)
            small_ids.add(small_id)
            middle_ids.add(middle_id)
            if job_id < 0 or job_id in job_ids:
                continue  # the first word naming a job speaks for it (a desired word before a skill word)
            job_ids.append(job_id)
            for name, rel, kind in (
                ("job", REL_DESIRED if is_desired else REL_SKILL, DESIRED if is_desired else SKILL),
                ("title", REL_TITLE_DESIRED if is_desired else REL_TITLE_SKILL,
                 TITLE_DESIRED if is_desired else TITLE_SKILL),
            ):
                if (source := self._job_source(name, job_id, rel)) is not None:
                    sources.append(source)
                    codes.append(kind << KIND_SHIFT | i)
        for i, word in enumerate(words):
            if (source := self._text_source(word)) is not None:
                sources.append(source)
                codes.append(TEXT << KIND_SHIFT | i)
        small_ids.discard(-1)
        middle_ids.discard(-1)
        # Sources may overlap (a posting of one of the worker's jobs titled as another, or written like a word):
        # the ranker keeps each posting once, with its best way of fitting.
        return Profile(sources=tuple(sources), codes=tuple(codes), words=words,
                       jobs=tuple(job for job, *_ in readings), job_ids=frozenset(job_ids),
                       small_ids=frozenset(small_ids), middle_ids=frozenset(middle_ids))

    def _word(self, word: str) -> tuple[str | None, int, int, int]:
        """(canonical job, its id, small-group id, middle-group id) a worker's word names; ids -1 when unknown."""
        if (found := self._words.get(word)) is None:
            job, small = job_of(word)
            vocab = self.jobs.vocabulary
            found = self._words[word] = (job, vocab.get(job), vocab.get(("small", small)) if small else -1,
                                         vocab.get(("middle", middle_of(small))) if small else -1)
        return found

    def _job_source(self, name: str, job_id: int, rel: float) -> Source | None:
        key = (name, job_id, rel)
        if key not in self._sources:
            rows = (self.jobs.by_job if name == "job" else self.jobs.by_title_job).get(job_id)
            self._sources[key] = None if rows is None else Source(key, rows, np.full(len(rows), rel, np.float32))
        return self._sources[key]

    def _text_source(self, word: str) -> Source | None:
        """The postings a word fits by text alone: close enough, and not of the job the word itself names."""
        key = ("text", _NOT_WORD.sub("", word))
        if key not in self._sources:
            rows, sims = self.text.similar(word)
            own = self.jobs.vocabulary.get(job_of(word)[0])
            if own >= 0 and len(rows):
                other = self.jobs.job[rows] != own  # those are the word's job lane already
                rows, sims = rows[other], sims[other]
            scaled = REL_TEXT_MIN + (REL_TEXT_MAX - REL_TEXT_MIN) * (sims - TEXT_FIT) / (1.0 - TEXT_FIT)
            self._sources[key] = Source(key, rows, np.minimum(scaled, REL_TEXT_MAX).astype(np.float32)) \
                if len(rows) else None
        return self._sources[key]


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
