"""The jobs service: employers, postings and post supply lists (岗位供给清单)."""
