"""Demonstration data for `make run` and `jobbridge demo`: employers and postings (jobs.py), labourers and their
placements in those postings (workers.py), console accounts (console.py), and the loader that puts them together."""
