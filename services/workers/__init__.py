"""The workers service: the registered labourers, their consent, contact channels and placements."""
