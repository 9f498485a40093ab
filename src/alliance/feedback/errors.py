"""Input errors of the feedback engine (the CLI maps them to exit status 2)."""


class FeedbackError(ValueError):
    """Bad input to the feedback engine; the message names the row/column and what was allowed."""
