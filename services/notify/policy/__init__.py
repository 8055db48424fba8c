"""The rules of delivery as pure functions (no I/O): channel, quiet hours, limits, digest, retries, what to do next."""
