"""Exceptions raised by the measures core.

Every one is a ``ValueError`` whose message names the instrument, the item or
field, and what was allowed, so the CLI can print it as one line and exit 2.
"""


class MeasureError(ValueError):
    """Base class of every input error raised by ``alliance.measures``."""


class DefinitionError(MeasureError):
    """An instrument definition file is malformed (names the file and field)."""


class UnknownInstrumentError(MeasureError):
    """No instrument is registered under the requested id."""


class ScoringError(MeasureError):
    """Answers given to the scorer are invalid (names instrument, item, allowed values)."""


class WordingError(MeasureError):
    """A wording pack is malformed or does not fit its instrument."""


class RowError(ScoringError):
    """One cell of a table of responses is invalid; ``row`` is its 0-based position."""

    def __init__(self, instrument: str, row: int, item: str, detail: str) -> None:
        self.instrument = instrument
        self.row = row
        self.item = item
        self.detail = detail
        super().__init__(f"{instrument}: row {row + 1}, item {item}: {detail}")

    def shifted(self, offset: int) -> "RowError":
        """The same error for a table that starts ``offset`` rows further on."""
        return RowError(self.instrument, self.row + offset, self.item, self.detail)
