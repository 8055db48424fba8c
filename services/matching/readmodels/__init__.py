"""Read models of postings and workers, built only from jobs and workers events."""
