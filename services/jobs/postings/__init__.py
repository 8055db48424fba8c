"""Postings: the vacancies employers and partner offices publish."""
