"""The ledger report: progress figures per county, each traceable to the profiles it counts."""
