"""Service sessions: check-in to check-out, review, and the hours they record."""
