"""Reading what people write for a job — "电焊", "想去饭店当服务员", "看孩子" — as an occupation of the classification.

The index is the whole national classification: its 428 small groups and the 1,604 detailed occupations of the 2022
大典 that fall in them (names and one-line definitions), plus the words of `occupation_synonyms.csv` (how staff,
labourers and employers say common trades) and whatever staff taught the platform (`taught`). A text is read by the
first of these steps that gives an answer:

  1. taught      a phrase an administrator mapped to an occupation
  2. exact       a word of the lexicon: a synonym, a detailed occupation's name, a small group's name
  3. contained   the longest lexicon word inside the text ("高级电焊工" → 焊工); one character words are not used —
     classified  unless the model of the whole lexicon (shared.reference.trade_model: which group the phrase's
                 characters point to, learnt from every lexicon word) names another group: then that group
                 ("酒店打扫房间" holds 打扫, cleaning, but reads as hotel service)
  4. segmented   the text cut into words (jieba, with the lexicon's words added to its dictionary), filler words
                 dropped ("想去", "会", "附近"); the longest word that the lexicon knows
  5. fuzzy       a slip of the pen in a word of five or more characters ("养老护里员"): rapidfuzz's edit-distance
                 ratio ≥ FUZZY_CUTOFF against lexicon words, only when the best score names one job
  6. similar     what is left, compared with every small group's text — its name, its detailed occupations' names
                 and definitions, its lexicon words — as character 1–2-gram TF-IDF vectors: the nearest group when
                 its cosine is at least SIMILAR_MIN and ahead of the next group by SIMILAR_MARGIN

Every step returns a canonical job name (a synonym's job, a detailed occupation's name, else the group's name) and
its small group; the ranker fits postings by both. What no step reads stays unread: a wrong trade pushed to a worker
costs more than a missed one, and staff can teach the phrase (matching's vocabulary routes list what was not read).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from shared.reference.occupations import Occupation, data_rows, get_occupation, normalise, small_groups
from shared.reference.trade_model import TradeModel, trade_model

# A slip of the pen: one character in a word of five or more (plain edit-distance ratio 80 in five characters).
# Shorter words with one character changed are as likely another job (保结员: 保洁员 or 保安员?; 馒头师傅 is one
# character from 剃头师傅): on the development half of the held-out phrases, reading four-character words this way
# cost precision@3 0.006 (bench.fit --dev). Partial or token scores pair a phrase with any long name sharing a
# fragment (育婴师 ~ 招聘师): not used.
FUZZY_CUTOFF = 75.0
FUZZY_MIN_LENGTH = 5
FUZZY_TIES_EXAMINED = 10
# The nearest group by text must be this close and this far ahead of the next one. Chosen on the project's own
# synonyms split in halves (bench/vocabulary.py), the dev set: with the step at 0.25/0.05, 3 more held-out words in
# 114 are read right and 2 more wrong than without it; at 0.20 as many more wrong as right; from 0.30 it adds nothing.
SIMILAR_MIN = 0.25
SIMILAR_MARGIN = 0.05
# How sure each step is, for staff who look at a reading (100 = a word of the lexicon).
SCORES = {"taught": 100.0, "exact": 100.0, "contained": 90.0, "segmented": 85.0, "classified": 80.0}

# Words around a trade that say nothing about which trade: wishes, abilities, places, time.
FILLERS = frozenset(
    ["想", "想去", "想要", "想做", "想干", "想找", "希望", "愿意", "打算", "准备", "会", "能", "能够", "可以", "擅长", "懂", "学过", "干过", "做过", "当过", "有", "去", "到", "在", "当", "干", "做", "搞", "找", "的", "了", "过", "和", "或", "及", "跟", "与", "也", "都", "还", "就", "一些", "一点", "点", "些", "一般", "简单", "工作", "活", "活儿", "事", "事情", "岗位", "职位", "家", "家里", "家附近", "附近", "本地", "当地", "周边", "村里", "镇上", "县里", "城里", "外地", "外出", "北京", "老家", "经验", "多年", "年", "几年", "以前", "之前", "现在", "长期", "短期", "临时", "全职", "兼职", "白班", "夜班", "男", "女"])
_NOT_WORD = re.compile(r"[\W_]+")

log = logging.getLogger("jobbridge.vocabulary")

CACHE_MAX = 200_000  # phrases kept per cache of a vocabulary (readings, nearest groups)
_Kept = TypeVar("_Kept")


@dataclass(frozen=True)
class Reading:
    """How a text was read: the canonical job, its small group, how sure, and by which step."""

    job: str
    occupation: Occupation  # a small group
    score: float
    via: Literal["taught", "exact", "contained", "classified", "segmented", "fuzzy", "similar"]

    @property
    def code(self) -> str:
        return self.occupation.code


@dataclass(frozen=True)
class Term:
    """One lexicon word: the job it names and that job's small group (大典 code)."""

    word: str
    job: str
    code: str


@cache
def synonym_terms() -> tuple[Term, ...]:
    """The words of occupation_synonyms.csv, every canonical job a word of itself."""
    terms: dict[str, Term] = {}
    for row in data_rows("occupation_synonyms.csv"):
        terms.setdefault(row["term"], Term(row["term"], row["job"], row["occupation_code"]))
        terms.setdefault(row["job"], Term(row["job"], row["job"], row["occupation_code"]))
    return tuple(terms.values())


@cache
def detailed_occupations() -> tuple[tuple[str, str, str, str], ...]:
    """(code, name, small group code, definition) of every detailed occupation of the 2022 大典 in our groups."""
    return tuple((r["code"], r["name"], r["small_code"], r["definition"])
                 for r in data_rows("occupation_detailed_2022.csv"))


@cache
def speech_terms() -> tuple[Term, ...]:
    """How people say trades (occupation_speech.csv): colloquial names, verbs with their objects, workplaces."""
    return tuple(Term(row["word"], row["job"], row["small_code"]) for row in data_rows("occupation_speech.csv"))


def classification_terms() -> list[Term]:
    """The classification's own words: detailed occupations' names, then small groups' names."""
    terms = [Term(name, name, small) for _, name, small, _ in detailed_occupations()]
    terms += [Term(group.name, group.name, group.code) for group in small_groups()]
    return terms


class Vocabulary:
    """The lexicon and the group texts, built once; `read` is cached per text. Not locked: one per thread."""

    def __init__(self, synonyms: Iterable[Term] | None = None, *, speech: Iterable[Term] | None = None,
                 taught: Mapping[str, str] | None = None) -> None:
        self.synonyms = tuple(synonym_terms() if synonyms is None else synonyms)
        self.speech = tuple(speech_terms() if speech is None else speech)
        self.lexicon: dict[str, Term] = {}
        # The common-job table first, then speech: where they and the classification name a word differently, they
        # say how people use it (裁缝 is a sewing job in a factory, though the 大典 files the tailor's shop under 4-10-02).
        for term in (*self.synonyms, *self.speech, *classification_terms()):
            self.lexicon.setdefault(normalise(term.word), term)
        self.lexicon.pop("", None)
        self._contained = sorted((w for w in self.lexicon if len(w) >= 2), key=lambda w: (-len(w), w))
        self._segmenter = _segmenter(tuple(self._contained))
        # The same words by their first character, so that finding those inside a text looks only where one may start.
        self._by_first: dict[str, list[str]] = {}
        for word in self._contained:
            self._by_first.setdefault(word[0], []).append(word)
        self._groups, group_rows, self._vectorizer = _group_texts(self.synonyms + self.speech)
        self._group_columns = group_rows.T.tocsr()  # transposed once: a text's likeness is one sparse product
        self._fuzzy_choices = tuple(self.lexicon)
        self._taught: dict[str, Term] = {}
        self._cache: dict[str, Reading | None] = {}
        self._nearest: dict[str, Occupation | None] = {}
        self._model: TradeModel | None = None
        self.teach(taught or {})

    def teach(self, taught: Mapping[str, str]) -> None:
        """Replace the taught phrases (phrase → occupation code, small group or detailed); clears the cache."""
        self._taught = {}
        for phrase, code in taught.items():
            if (term := taught_term(phrase, code)) is not None:
                self._taught[normalise(phrase)] = term
        self._cache.clear()
        self._nearest.clear()

    def read(self, text: str) -> Reading | None:
        """The occupation a free text names, or None when nothing reads it with enough certainty."""
        cleaned = normalise(text or "")
        if not cleaned:
            return None
        return _kept(self._cache, cleaned, self._read)

    def _read(self, cleaned: str) -> Reading | None:
        if (term := self._taught.get(cleaned)) is not None:
            return _reading(term, "taught")
        if (term := self.lexicon.get(cleaned)) is not None:
            return _reading(term, "exact")
        if (term := self._contained_term(cleaned)) is not None:
            if (code := self.model.group_of(cleaned)) is not None and code != term.code \
                    and (group := get_occupation(code)) is not None:
                # The model's trade, said by a word of the text when one names it ("车间招人，会电焊": 电焊, not 招人).
                if (named := self._word_of(cleaned, code)) is not None:
                    return _reading(named, "contained")
                return Reading(job=group.name, occupation=group, score=SCORES["classified"], via="classified")
            return _reading(term, "contained")
        words = [w for w in (_NOT_WORD.sub("", t) for t in self._segmenter.cut(cleaned)) if w and w not in FILLERS]
        known = sorted((w for w in words if w in self.lexicon), key=len, reverse=True)
        if known:
            return _reading(self.lexicon[known[0]], "segmented")
        content = "".join(words)
        if not content:
            return None
        return self._fuzzy(content) or self._similar(content)

    @property
    def model(self) -> TradeModel:
        """The linear model of this lexicon's words, fitted on first use and shared by vocabularies of one lexicon."""
        if self._model is None:
            self._model = trade_model(tuple((word, term.code) for word, term in self.lexicon.items()))
        return self._model

    def nearest_group(self, text: str) -> Occupation | None:
        """The small group whose text is most like a text no step reads: a guess, never a reading. The ranker offers
        that group's posts for such a desired word as near posts (相近岗位), after the posts of every word it reads."""
        return _kept(self._nearest, normalise(text or ""), self._nearest_group)

    def _nearest_group(self, cleaned: str) -> Occupation | None:
        words = [w for w in (_NOT_WORD.sub("", t) for t in self._segmenter.cut(cleaned)) if w and w not in FILLERS]
        likeness = self._likeness("".join(words)) if words else {}
        if not likeness:
            return None
        code = max(likeness, key=lambda c: (likeness[c], c))
        return next((group for group in self._groups if group.code == code), None)

    def _contained_term(self, cleaned: str) -> Term | None:
        """The lexicon word inside the text that names its trade. One word, or words of one group: the longest. Words
        of several groups ("草坪养护工": a lawn, and care work): the group whose words cover the larger share of the
        text plus whose whole text (`similar`) is more like it — the trade the phrase is about, not a word it holds."""
        spans = [(start, start + len(word), word) for start, first in enumerate(cleaned)
                 for word in self._by_first.get(first, ()) if cleaned.startswith(word, start)]
        if not spans:
            return None
        spans.sort(key=lambda s: (s[0] - s[1], s[2], s[0]))  # longest words first, as the lexicon orders them
        # A word inside a longer word found at the same place says nothing of its own (木工 in 锯木工 aside: see below).
        spans = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0]
                                             for o in spans)]
        by_code: dict[str, list[tuple[int, int, str]]] = {}
        for span in spans:
            by_code.setdefault(self.lexicon[span[2]].code, []).append(span)
        if len(by_code) == 1:
            return self.lexicon[max(spans, key=lambda s: (s[1] - s[0], s[1]))[2]]
        likeness = self._likeness(cleaned)
        best = max(by_code, key=lambda code: len({i for a, b, _ in by_code[code] for i in range(a, b)}) / len(cleaned)
                   + likeness.get(code, 0.0))
        return self.lexicon[max(by_code[best], key=lambda s: (s[1] - s[0], s[1]))[2]]

    def _word_of(self, cleaned: str, code: str) -> Term | None:
        """The longest lexicon word of the small group `code` inside the text, if any."""
        found = [word for start, first in enumerate(cleaned) for word in self._by_first.get(first, ())
                 if self.lexicon[word].code == code and cleaned.startswith(word, start)]
        return self.lexicon[max(found, key=len)] if found else None

    def _likeness(self, content: str) -> dict[str, float]:
        """Cosine of the text with every small group's text, by group code (only those above zero)."""
        query = self._vectorizer.transform([content])
        if not query.nnz:
            return {}
        sims = (query @ self._group_columns).toarray().ravel()
        return {self._groups[i].code: float(sims[i]) for i in np.flatnonzero(sims > 0)}

    def _fuzzy(self, content: str) -> Reading | None:
        if len(content) < FUZZY_MIN_LENGTH:
            return None
        found = process.extract(content, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                limit=FUZZY_TIES_EXAMINED)
        if not found:
            return None
        best = [self.lexicon[choice] for choice, score, _ in found if score == found[0][1]]
        # A fragment such as "护理" fits 母婴护理 and 养老护理员 equally; guessing between jobs would mislead.
        if len({term.job for term in best}) != 1:
            return None
        return _reading(best[0], "fuzzy", score=float(found[0][1]))

    def _similar(self, content: str) -> Reading | None:
        query = self._vectorizer.transform([content])
        if not query.nnz:
            return None
        sims = (query @ self._group_columns).toarray().ravel()
        order = np.argsort(-sims)[:2]
        best = float(sims[order[0]])
        runner_up = float(sims[order[1]]) if len(order) > 1 else 0.0
        if best < SIMILAR_MIN or best - runner_up < SIMILAR_MARGIN:
            return None
        group = self._groups[int(order[0])]
        return Reading(job=group.name, occupation=group, score=round(100 * best, 1), via="similar")


def taught_term(phrase: str, code: str) -> Term | None:
    """The term a taught phrase stands for: a detailed occupation (its name) or a small group (its name)."""
    code = code.strip()
    for detailed, name, small, _ in detailed_occupations():
        if detailed == code:
            return Term(phrase, name, small)
    group = get_occupation(code)
    if group is None or group.level != "small":
        return None
    return Term(phrase, group.name, group.code)


def _reading(term: Term, via: str, *, score: float | None = None) -> Reading | None:
    group = get_occupation(term.code)
    if group is None or group.level != "small":
        log.warning("lexicon word names no small group", extra={"word": term.word, "code": term.code})
        return None
    return Reading(job=term.job, occupation=group, score=SCORES.get(via, 0.0) if score is None else score,
                   via=via)  # type: ignore[arg-type]  # via is one of the literal steps


@cache
def _segmenter(words: tuple[str, ...]):
    """A jieba tokenizer of its own that knows the lexicon's words (jieba's global one is left alone)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in words:
        tokenizer.add_word(word, freq=100_000)
    return tokenizer


def _kept(cache: dict[str, _Kept], key: str, work_out: Callable[[str], _Kept]) -> _Kept:
    """What `work_out` gives for `key`, worked out once; the cache is emptied when it grows past CACHE_MAX."""
    if key not in cache:
        if len(cache) > CACHE_MAX:
            cache.clear()
        cache[key] = work_out(key)
    return cache[key]


@cache
def _group_texts(synonyms: tuple[Term, ...]) -> tuple[list[Occupation], Any, TfidfVectorizer]:
    """Each small group's text — its name and lexicon words twice (they name it), its detailed occupations' names
    and definitions once — as character 1–2-gram TF-IDF rows."""
    names: dict[str, list[str]] = {}
    described: dict[str, list[str]] = {}
    for term in synonyms:
        names.setdefault(term.code, []).append(term.word)
    for _, name, small, definition in detailed_occupations():
        names.setdefault(small, []).append(name)
        described.setdefault(small, []).append(_plain_definition(definition))
    # The catch-all groups ("其他…人员", codes ending in 99) are named by what they are not: no text is like them.
    groups = tuple(group for group in small_groups() if not group.code.endswith("-99"))
    texts = []
    for group in groups:
        head = " ".join((group.name, *names.get(group.code, ())))
        texts.append(f"{head} {head} {' '.join(described.get(group.code, ()))}")
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    return list(groups), vectorizer.fit_transform(texts), vectorizer


def _plain_definition(definition: str) -> str:
    # "从事…的人员" and "使用…设备" frame every definition; what is between says what the work is.
    return re.sub(r"^(从事|使用|操作|运用|负责)|的(技术|专业|管理)?人员。?$", "", definition)


@cache
def default() -> Vocabulary:
    """The vocabulary of the reference data alone (nothing taught)."""
    return Vocabulary()


def read(text: str) -> Reading | None:
    """Read a free text with the default vocabulary."""
    return default().read(text)


def terms_for(job: str) -> frozenset[str]:
    """Every word of the synonym table for a canonical job, the job included (just the job when it has none)."""
    found = frozenset(term.word for term in synonym_terms() if term.job == job)
    return found or frozenset({job})


def common_jobs() -> list[str]:
    """The canonical jobs of the synonym table, in the table's order."""
    return list(dict.fromkeys(term.job for term in synonym_terms()))
