"""Benchmarks of the platform, each printing its figures beside the baseline measured in the same process."""
