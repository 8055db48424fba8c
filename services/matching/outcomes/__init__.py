"""What came of the offers: labourers' interest, employers' decisions on candidates, placements, and the funnel."""
