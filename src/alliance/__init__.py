"""Alliance: measurement-based, feedback-informed care built around the working alliance."""

__version__ = "0.1.0"
