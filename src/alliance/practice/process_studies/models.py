"""Models of the process_studies app."""
