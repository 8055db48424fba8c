"""Employers (用人单位) that post vacancies."""
