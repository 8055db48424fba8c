"""The AsyncAPI document of the bus (docs/asyncapi.yaml), with the queues the services really consume from.

    python -m jobbridge.asyncapi > docs/asyncapi.yaml    (or: jobbridge asyncapi)
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from jobbridge.platform import SERVICES, build_units
from shared.contracts.asyncapi import Queue, as_yaml, document


@contextmanager
def _scratch_data_dir() -> Iterator[None]:
    """Building a service reads its settings, which make its data folder: a scratch one here, removed after."""
    before = os.environ.get("DATA_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATA_DIR"] = scratch
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("DATA_DIR", None)
            else:
                os.environ["DATA_DIR"] = before


def queues() -> list[Queue]:
    """Each service's consumers, as its `build` makes them: the queue's name and the event types bound to it."""
    with _scratch_data_dir():
        units = build_units(SERVICES)
    return [Queue(name=consumer.name, service=unit.name, bindings=tuple(consumer.bindings))
            for unit in units for consumer in unit.consumers]


def render() -> str:
    return as_yaml(document(queues()))


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
