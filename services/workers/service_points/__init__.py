"""Standard employment and social-security service points of townships (the plan's fifth 100 % figure)."""
