"""Loading and looking up instrument definitions.

Definitions are YAML files in ``definitions/`` (one per instrument), validated
against ``schema.Instrument`` when loaded.  A malformed file raises
``DefinitionError`` naming the file, the field and what was expected.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import DefinitionError, UnknownInstrumentError
from .schema import Instrument

DEFINITIONS_DIR = Path(__file__).parent / "definitions"


def _describe_validation_error(path: Path, error: ValidationError) -> str:
    problems = []
    for e in error.errors():
        field = ".".join(str(part) for part in e["loc"]) or "(top level)"
        problems.append(f"{field}: {e['msg']}")
    return f"{path.name}: " + "; ".join(problems)


def load_definition(path: Path) -> Instrument:
    """Read and validate one definition file."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML ({exc})") from exc
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not isinstance(raw, dict):
        raise DefinitionError(f"{path.name}: expected a mapping at the top level")
    try:
        instrument = Instrument.model_validate(raw)
    except ValidationError as exc:
        raise DefinitionError(_describe_validation_error(path, exc)) from None
    if instrument.id != path.stem:
        raise DefinitionError(
            f"{path.name}: field id is {instrument.id!r}; expected the file name {path.stem!r}"
        )
    return instrument


@cache
def _registry() -> dict[str, Instrument]:
    paths = sorted(DEFINITIONS_DIR.glob("*.yaml"))
    return {p.stem: load_definition(p) for p in paths}


def instrument_ids() -> list[str]:
    return list(_registry())


def all_instruments() -> list[Instrument]:
    return list(_registry().values())


def get_instrument(instrument_id: str) -> Instrument:
    try:
        return _registry()[instrument_id]
    except KeyError:
        known = ", ".join(_registry())
        raise UnknownInstrumentError(
            f"unknown instrument {instrument_id!r}; known instruments: {known}"
        ) from None


def resolve(instrument: str | Instrument) -> Instrument:
    return instrument if isinstance(instrument, Instrument) else get_instrument(instrument)
