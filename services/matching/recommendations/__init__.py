"""Recommendations for one worker: computed for staff to see, issued (stored and pushed) when asked."""
