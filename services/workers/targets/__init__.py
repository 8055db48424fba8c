"""Placement targets per county and year, set by admin, against which the report measures progress."""
