"""Reference data every service reads: regions and distances, minimum wages, occupations and job synonyms.

The data files and their sources are in data/ (see data/SOURCES.md); nothing is read until first asked for.
"""
