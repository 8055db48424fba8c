"""SMS replies to the offers: an offer's number becomes the worker's interest, 0 says none fits, the rest is read by staff."""
