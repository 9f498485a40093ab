"""Wording packs: the words of an instrument, separate from its structure.

A pack holds, for one instrument and one language, the instructions, the text
of every item, the label of every option (and, for visual-analogue items, the
anchors at each end), with its licence and source.  Packs whose wording is
licensed or unclear ship as neutral paraphrases with ``placeholder: true``;
a licensed site installs the official text with
``alliance instruments install-text ID FILE``, which validates the file
against the instrument and copies it into the site's wording directory
(``$ALLIANCE_WORDING_DIR``, default ``~/.local/share/alliance/wording``).
An installed pack takes precedence over the shipped one for its language.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import WordingError
from .registry import resolve
from .schema import Instrument, Licence

SHIPPED_DIR = Path(__file__).parent / "wording"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


class Anchors(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: str
    high: str


class WordingPack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str
    language: str = Field(pattern=LANGUAGE_PATTERN)
    licence: Licence
    placeholder: bool
    source: str
    instructions: str
    items: dict[str, str]
    options: dict[str, dict[int, str]] = {}
    anchors: dict[str, Anchors] = {}


def installed_dir() -> Path:
    env = os.environ.get("ALLIANCE_WORDING_DIR")
    if env:
        return Path(env)
    return Path.home() / ".local" / "share" / "alliance" / "wording"


def parse_pack(raw: Any, origin: str) -> WordingPack:
    if not isinstance(raw, dict):
        raise WordingError(f"{origin}: expected a mapping at the top level")
    try:
        return WordingPack.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise WordingError(f"{origin}: {problems}") from None


def read_pack_file(path: Path) -> WordingPack:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WordingError(f"{path.name}: not valid YAML or JSON ({exc})") from exc
    except OSError as exc:
        raise WordingError(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse_pack(raw, path.name)


def check_pack_fits(pack: WordingPack, instrument: Instrument, origin: str) -> None:
    """Every item has text, every option value and VAS item has labels; nothing unknown."""
    if pack.instrument != instrument.id:
        raise WordingError(f"{origin}: pack is for {pack.instrument!r}, not for {instrument.id!r}")
    ids = set(instrument.item_ids)
    lacking = [i for i in instrument.item_ids if i not in pack.items]
    unknown = sorted(set(pack.items) - ids)
    if lacking or unknown:
        raise WordingError(
            f"{origin}: items without text {lacking}, unknown items {unknown}; "
            f"expected exactly {instrument.item_ids}"
        )
    for set_id, rs in instrument.response_sets.items():
        if rs.options is not None:
            labels = pack.options.get(set_id, {})
            if set(labels) != set(rs.options):
                raise WordingError(
                    f"{origin}: options.{set_id} labels values {sorted(labels)}; "
                    f"expected exactly {sorted(rs.options)}"
                )
    vas_items = [i.id for i in instrument.items if instrument.response_sets[i.response_set].vas]
    if sorted(pack.anchors) != sorted(vas_items):
        raise WordingError(
            f"{origin}: anchors given for {sorted(pack.anchors)}; "
            f"expected anchors for exactly {sorted(vas_items)}"
        )


def shipped_packs(instrument_id: str) -> list[WordingPack]:
    return [read_pack_file(p) for p in sorted(SHIPPED_DIR.glob(f"{instrument_id}.*.yaml"))]


def get_wording(instrument: str | Instrument, language: str = "en") -> WordingPack:
    """The installed pack for this language if any, else the shipped one.

    Falls back from a regional tag to its base language (``en-GB`` -> ``en``),
    then to English.
    """
    inst = resolve(instrument)
    candidates = [language]
    if "-" in language:
        candidates.append(language.split("-")[0])
    if "en" not in candidates:
        candidates.append("en")
    for lang in candidates:
        for folder in (installed_dir(), SHIPPED_DIR):
            path = folder / f"{inst.id}.{lang}.yaml"
            try:
                modified = path.stat().st_mtime_ns
            except FileNotFoundError:
                continue
            return checked_pack(path, modified, inst.id)
    raise WordingError(f"{inst.id}: no wording pack for {language!r} or English")


@lru_cache(maxsize=256)
def checked_pack(path: Path, modified: int, instrument_id: str) -> WordingPack:
    """Read and check a pack once per file version (``modified`` is part of the cache key,
    so an installed or edited pack is read again)."""
    pack = read_pack_file(path)
    check_pack_fits(pack, resolve(instrument_id), path.name)
    return pack


def install_text(instrument: str | Instrument, source: Path) -> Path:
    """Validate a wording pack file and install it for this site; return its new path."""
    inst = resolve(instrument)
    pack = read_pack_file(source)
    check_pack_fits(pack, inst, source.name)
    target_dir = installed_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{inst.id}.{pack.language}.yaml"
    tmp = target.with_suffix(".yaml.tmp")
    tmp.write_text(
        yaml.safe_dump(pack.model_dump(mode="json"), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    tmp.replace(target)
    return target
