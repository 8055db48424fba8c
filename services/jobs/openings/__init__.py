"""Openings of a posting taken by placements: held, confirmed by the placement's event, or given back."""
