"""Batch runs: recommend and push for every worker of an area, fanned out per township over the bus."""
