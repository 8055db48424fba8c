"""Delivery receipts the providers push: matched to messages by the provider's message id."""
