"""Candidate lists: workers ranked for a posting, and the job-seeking demand list (求职需求清单) of a supply list."""
