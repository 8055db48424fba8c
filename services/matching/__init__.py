"""The matching service: read models of postings and workers, the ranker, recommendation runs and candidate lists."""
