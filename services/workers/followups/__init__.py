"""Follow-up of placed labourers (跟踪服务): visits due after 1, 3 and 6 months, what staff found, and retention."""
