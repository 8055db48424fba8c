"""Delivery: the dispatcher that sends due messages, one attempt's logic, and the providers it may use."""
