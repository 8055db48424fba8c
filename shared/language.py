"""Which language a person reads: Chinese when their Accept-Language prefers it, English otherwise."""

from __future__ import annotations


def row_errors_for(errors: list, accept_language: str | None) -> list:
    """An import report's row errors in the reader's language: each error's `zh` when Chinese is preferred."""
    if not prefers_chinese(accept_language):
        return errors
    return [error.model_copy(update={"message": error.zh or error.message}) for error in errors]


def prefers_chinese(accept_language: str | None) -> bool:
    """True when the most preferred language of an Accept-Language header is Chinese (zh, zh-CN, zh-Hans, ...)."""
    best, best_q = "", 0.0
    for part in (accept_language or "")[:500].split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > best_q:  # the first of equal preferences wins
            best, best_q = tag.strip().lower(), q
    return best == "zh" or best.startswith("zh-")
