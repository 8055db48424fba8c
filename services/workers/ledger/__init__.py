"""The ledger (台账): station staff upload their spreadsheet of labourers, each good row becomes a profile."""
