"""The measures core: instrument definitions, wording packs and scoring.

Pure Python with numpy and pandas; imports nothing from Django.
"""

from .errors import (
    DefinitionError,
    MeasureError,
    RowError,
    ScoringError,
    UnknownInstrumentError,
    WordingError,
)
from .frame import score_frame
from .registry import all_instruments, get_instrument, instrument_ids
from .schema import Instrument, Scale
from .scoring import ScoreResult, score
from .wording import WordingPack, get_wording, install_text

__all__ = [
    "DefinitionError",
    "Instrument",
    "MeasureError",
    "RowError",
    "Scale",
    "ScoreResult",
    "ScoringError",
    "UnknownInstrumentError",
    "WordingError",
    "WordingPack",
    "all_instruments",
    "get_instrument",
    "get_wording",
    "install_text",
    "instrument_ids",
    "score",
    "score_frame",
]
