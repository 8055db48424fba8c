"""Messages: one per worker and recommendation set, its state, its attempts, and who may read them."""
