"""An answer a route sends as its model's JSON, written once by pydantic-core.

A route that returns its model leaves FastAPI to check it against the route's `response_model` again: it dumps the
model to a dict, validates that, and writes it out (20-30 µs of CPU for one posting, 6 % of a read by id). The routes
the platform answers most often build their model once and send it as it is; the `response_model` they declare still
documents the answer.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_answer(model: BaseModel, *, status_code: int = 200) -> Response:
    """The model as FastAPI would send it for a route whose `response_model` is the model's class."""
    return Response(model.model_dump_json(by_alias=True), status_code=status_code, media_type="application/json")
