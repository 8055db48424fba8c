"""Events between services: the envelope, the buses, the outbox and the inbox."""
