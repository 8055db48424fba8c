"""The audit log of reads of personal data."""
