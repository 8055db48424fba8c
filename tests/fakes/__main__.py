"""`python -m tests.fakes`: the fake providers as one process (see tests/fakes/standalone.py)."""

from tests.fakes.standalone import main

main()
