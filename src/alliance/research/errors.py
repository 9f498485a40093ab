"""Input errors of the research workbench (the CLI maps them to exit status 2)."""


class ResearchError(ValueError):
    """Bad input to a research function; the message names the column and what was allowed."""
