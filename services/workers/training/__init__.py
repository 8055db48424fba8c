"""Training a worker took part in (the plan's third 100 % figure)."""
