"""Placements: a worker took a job."""
