"""Models of the ending app."""
