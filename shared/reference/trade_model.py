"""A linear model of the lexicon: which small group a short text's characters point to, learnt from every word.

A lexicon word found inside a longer phrase is not always what the phrase is about: in 酒店打扫房间 the word 打扫
names cleaning, but the place and the rooms make it hotel service; in 陪护病人 the word 陪护 names elderly care, but
the patient makes it hospital care. The model weighs every character and character pair of a phrase by how strongly, over
all lexicon words (some 15,000: the common-job table, speech, the classification's names), it points to one small
group rather than another: a one-vs-rest linear support vector classifier (scikit-learn's LinearSVC) over character
1–2-gram TF-IDF. The vocabulary asks it when a phrase holds a lexicon word but is not one (the `contained` step), and
takes its group where the two disagree.

Chosen on the development half of the held-out phrases and titles (bench/vocabulary.py): of 177 `contained`
readings, 148 were right before and 158 with the model's answer where it disagrees; precision@3 of `bench.fit --dev`
rose from 0.809 to 0.834. Neither the regularisation (C 0.5–2), 1–3-grams, balanced class weights nor the detailed
occupations' definitions as extra examples did better, so the plainest model stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class TradeModel:
    """The fitted vectorizer and, per small group, a weight per n-gram (float32) and an intercept."""

    vectorizer: TfidfVectorizer
    weights: np.ndarray  # groups × n-grams
    intercepts: np.ndarray  # groups
    codes: tuple[str, ...]  # the small group of each row of `weights`

    def group_of(self, text: str) -> str | None:
        """The small group the text's characters point to most, or None when it shares no n-gram with the lexicon."""
        query = self.vectorizer.transform([text])
        if not query.nnz:
            return None
        scores = query @ self.weights.T
        return self.codes[int(np.argmax(np.asarray(scores).ravel() + self.intercepts))]


@cache
def trade_model(examples: tuple[tuple[str, str], ...]) -> TradeModel:
    """The model of (word, small group) examples; fitted once per lexicon (a second or two for 15,000 words; about 31 MB of weights)."""
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32)
    words = [word for word, _ in examples]
    codes = [code for _, code in examples]
    fitted = LinearSVC(C=1.0, random_state=0, max_iter=2000).fit(vectorizer.fit_transform(words), codes)
    return TradeModel(vectorizer=vectorizer, weights=fitted.coef_.astype(np.float32),
                      intercepts=fitted.intercept_.astype(np.float32), codes=tuple(fitted.classes_))
