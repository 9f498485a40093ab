"""Models of the studies app."""
