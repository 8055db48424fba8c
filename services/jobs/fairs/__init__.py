"""Job fairs (招聘会): on-site recruitment events, their employers and postings, invitations, attendance, outcomes."""
