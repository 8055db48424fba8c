"""How well free text is read as an occupation, on words the lexicon was not given.

Two held-out sets, neither part of the lexicon the reading is done with:
- **synonym halves**: the words of `occupation_synonyms.csv` split in two halves by a hash of the word, per job; the
  vocabulary is built from one half (and each job's own name), and the other half is read. This is the development
  set: the thresholds of shared.reference.vocabulary were chosen on it.
- **labourers' phrases** (`bench/data/labourer_phrases.csv`): how labourers and clerks say what they want to do,
  written apart from the project's word lists and labelled with the 大典 small group an employment officer would file
  it under (bench/data/README.md). Its `test` half is never looked at when the vocabulary changes; the `dev` half may
  be read to find what kind of phrase is missed.

`python -m bench.vocabulary` prints, per set: read correctly, read as another group, not read.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shared.reference.occupations import normalise
from shared.reference.vocabulary import Term, Vocabulary, synonym_terms

DATA = Path(__file__).parent / "data"


def half_of(word: str) -> int:
    """0 or 1, stable across runs and machines."""
    return hashlib.sha256(word.encode("utf-8")).digest()[0] & 1


def synonym_halves() -> tuple[list[Term], list[Term]]:
    """(the half the lexicon keeps, with every job's own name; the held-out other half)."""
    kept, held = [], []
    for term in synonym_terms():
        if term.word == term.job or half_of(term.word) == 0:
            kept.append(term)
        else:
            held.append(term)
    return kept, held


@dataclass(frozen=True)
class Phrase:
    text: str
    code: str  # 大典 small group
    split: str  # "dev" or "test"


def labourer_phrases() -> list[Phrase]:
    path = DATA / "labourer_phrases.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [Phrase(row["phrase"], row["small_code"], "dev" if half_of("split:" + row["phrase"]) else "test")
            for row in rows]


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    unread: int = 0
    wrong_examples: list[str] | None = None

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.unread

    def row(self) -> str:
        n = max(self.total, 1)
        answered = max(self.right + self.wrong, 1)
        return (f"{self.total:5d}  right {self.right / n:6.1%}  wrong {self.wrong / n:6.1%}  "
                f"unread {self.unread / n:6.1%}  precision when read {self.right / answered:6.1%}")


def tally(vocabulary: Vocabulary, items: Iterable[tuple[str, str]], *, examples: int = 0) -> Tally:
    out = Tally(wrong_examples=[])
    for text, code in items:
        reading = vocabulary.read(text)
        if reading is None:
            out.unread += 1
        elif reading.code == code:
            out.right += 1
        else:
            out.wrong += 1
            if out.wrong_examples is not None and len(out.wrong_examples) < examples:
                out.wrong_examples.append(f"{text} → {reading.job} {reading.code} ({reading.via})")
    return out


def main(argv: list[str]) -> None:
    kept, held = synonym_halves()
    half = Vocabulary(kept)
    print("synonym halves (dev):     ", tally(half, ((t.word, t.code) for t in held)).row())
    full = Vocabulary()
    phrases = labourer_phrases()
    by_via: Counter[str] = Counter()
    for split in ("dev", "test"):
        chosen = [p for p in phrases if p.split == split]
        result = tally(full, ((p.text, p.code) for p in chosen), examples=40 if "-v" in argv and split == "dev" else 0)
        print(f"labourers' phrases ({split}): ", result.row())
        for example in result.wrong_examples or ():
            print("   ", example)
    from bench.heldout import employer_titles

    for split in ("dev", "test"):
        titles = [(t, code) for code, ts in employer_titles(split).items() for t in ts]
        result = tally(full, titles, examples=40 if "-v" in argv and split == "dev" else 0)
        print(f"employer titles ({split}):    ", result.row())
        for example in result.wrong_examples or ():
            print("   ", example)
    for p in phrases:
        reading = full.read(p.text)
        by_via[reading.via if reading else "unread"] += 1
    print("readings by step:", dict(by_via.most_common()))
    known = {normalise(t.word) for t in synonym_terms()}
    print(f"labourers' phrases that are words of the synonym table: {sum(normalise(p.text) in known for p in phrases)}"
          f"; words of the whole lexicon: {sum(normalise(p.text) in full.lexicon for p in phrases)}")
    novel = [p for p in phrases if p.split == "test" and normalise(p.text) not in full.lexicon]
    print("test phrases that are no word of the lexicon:", tally(full, ((p.text, p.code) for p in novel)).row())
    print(labellers_agree(phrases))


def labellers_agree(phrases: list[Phrase]) -> str:
    """How often a second labeller, who saw neither the first one's labels nor the project's word lists, filed each
    held-out phrase and title under the same small group (or named it as the second choice): the ceiling a reading
    can be held to."""
    from bench.heldout import employer_titles

    second = {(row["kind"], row["text"]): row for row in
              csv.DictReader((DATA / "second_labeller.csv").open(encoding="utf-8", newline=""))}
    sets = {("phrase", split): [(p.text, p.code) for p in phrases if p.split == split] for split in ("dev", "test")}
    sets |= {("title", split): [(t, code) for code, ts in employer_titles(split).items() for t in ts]
             for split in ("dev", "test")}
    parts = []
    for (kind, split), items in sets.items():
        rows = [(second[(kind, text)], code) for text, code in items]
        first = sum(row["small_code"] == code for row, code in rows) / len(rows)
        either = sum(code in (row["small_code"], row["second_code"]) for row, code in rows) / len(rows)
        parts.append(f"{kind}s {split} {first:.1%} ({either:.1%} as first or second choice)")
    return "two labellers agree: " + "; ".join(parts)


if __name__ == "__main__":
    main(sys.argv[1:])
