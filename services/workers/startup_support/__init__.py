"""Start-up support a worker who wants to start a business received (the plan's second 100 % figure)."""
