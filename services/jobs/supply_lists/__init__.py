"""Post supply lists (岗位供给清单) that partner offices in Beijing send, and their import."""
