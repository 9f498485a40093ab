"""The schema of an instrument definition (one YAML file per instrument).

Structure and scoring rules are facts and live here; item wording lives in
wording packs (see ``wording.py``).  Every number that a clinician acts on
(cut-offs, bands, reliable change, conversion tables) carries a ``source``.

A definition is validated when it is loaded: references between items,
scales and flags must resolve, band cut-points must ascend, and a conversion
table must cover every raw score the scale can produce.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = str
ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
ITEM_PATTERN = r"^[a-z][a-z0-9_]*$"

Licence = Literal["public-domain", "free-with-citation", "licensed"]
Respondent = Literal["client", "caregiver", "practitioner"]
Kind = Literal["alliance", "outcome", "wellbeing", "goals"]
Direction = Literal["higher-is-better", "lower-is-better"]
Operator = Literal["gt", "ge", "lt", "le", "eq"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VisualAnalogue(Strict):
    """A visual-analogue line scored from ``min`` to ``max`` in steps of ``step``."""

    min: float
    max: float
    step: float = Field(gt=0)

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Self:
        if not self.min < self.max:
            raise ValueError(f"vas.min ({self.min}) must be below vas.max ({self.max})")
        return self


class ResponseSet(Strict):
    """Either a list of numeric option values or a visual-analogue range."""

    options: tuple[int, ...] | None = None
    vas: VisualAnalogue | None = None

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Self:
        if (self.options is None) == (self.vas is None):
            raise ValueError("a response set needs exactly one of 'options' or 'vas'")
        if self.options is not None:
            if len(self.options) < 2:
                raise ValueError("a response set needs at least two options")
            if len(set(self.options)) != len(self.options):
                raise ValueError(f"option values repeat: {list(self.options)}")
        return self

    @property
    def low(self) -> float:
        return float(min(self.options)) if self.options is not None else self._vas.min

    @property
    def high(self) -> float:
        return float(max(self.options)) if self.options is not None else self._vas.max

    @property
    def _vas(self) -> VisualAnalogue:
        assert self.vas is not None  # guaranteed by _exactly_one_kind
        return self.vas

    def describe_allowed(self) -> str:
        """Human-readable allowed values, for error messages."""
        if self.options is not None:
            return "one of " + ", ".join(str(v) for v in sorted(self.options))
        v = self._vas
        return f"a number from {v.min:g} to {v.max:g} in steps of {v.step:g}"


class Item(Strict):
    id: str = Field(pattern=ITEM_PATTERN)
    response_set: str
    loinc: str | None = None


class MissingRule(Strict):
    """What the manual says about unanswered items on a scale.

    ``max_missing`` items may be missing; then ``method`` applies:
    ``prorate`` scales the sum of the answered items up to the full number of
    items (for ``mean`` aggregation this is the mean of the answered items);
    ``drop`` leaves unanswered items out (goal attainment scaling, where the
    number of goals varies).  More missing items than allowed give no score.
    """

    max_missing: int = Field(default=0, ge=0)
    method: Literal["prorate", "drop"] = "prorate"
    round_prorated: bool = False
    source: str | None = None


class Transform(Strict):
    """Applied to the aggregated raw score: a multiplier or a conversion table."""

    multiply: float | None = None
    lookup: dict[int, float] | None = None
    source: str

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> Self:
        if (self.multiply is None) == (self.lookup is None):
            raise ValueError("a transform needs exactly one of 'multiply' or 'lookup'")
        return self


class Band(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    lower: float = Field(alias="from")
    label: str


class Cutoff(Strict):
    """Clinical cut-off: the clinical range is ``>= value`` when lower is better,
    ``< value`` when higher is better (see the scale's change direction)."""

    value: float
    source: str
    population: str | None = None


class ChangeParameters(Strict):
    """Reliable change: a published threshold, or SD and reliability
    (Jacobson & Truax 1991: RCI threshold = 1.96 * sqrt(2) * SD * sqrt(1 - r))."""

    direction: Direction
    reliable_change: float | None = Field(default=None, gt=0)
    sd: float | None = Field(default=None, gt=0)
    reliability: float | None = Field(default=None, gt=0, lt=1)
    source: str

    @model_validator(mode="after")
    def _threshold_or_sd_and_reliability(self) -> Self:
        has_pair = self.sd is not None and self.reliability is not None
        if self.reliable_change is None and not has_pair:
            raise ValueError("change needs 'reliable_change' or both 'sd' and 'reliability'")
        return self

    @property
    def threshold(self) -> float:
        if self.reliable_change is not None:
            return self.reliable_change
        assert self.sd is not None and self.reliability is not None
        return 1.96 * math.sqrt(2.0) * self.sd * math.sqrt(1.0 - self.reliability)


class Scale(Strict):
    id: str = Field(pattern=ITEM_PATTERN)
    title: str
    items: tuple[str, ...] = Field(min_length=1)
    aggregation: Literal["sum", "mean", "kiresuk_sherman"]
    reverse: tuple[str, ...] = ()
    missing: MissingRule = MissingRule()
    transform: Transform | None = None
    inter_goal_correlation: float | None = Field(default=None, ge=0, lt=1)
    bands: tuple[Band, ...] = ()
    bands_source: str | None = None
    clinical_cutoff: Cutoff | None = None
    change: ChangeParameters | None = None
    loinc: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        unknown = [i for i in self.reverse if i not in self.items]
        if unknown:
            raise ValueError(f"reverse-keyed items {unknown} are not items of scale {self.id}")
        if self.missing.max_missing >= len(self.items):
            raise ValueError(
                f"missing.max_missing ({self.missing.max_missing}) must be below the "
                f"number of items ({len(self.items)})"
            )
        labels = [b.label for b in self.bands]
        if len(set(labels)) != len(labels):
            raise ValueError(f"band labels repeat: {labels}")
        lowers = [b.lower for b in self.bands]
        if lowers != sorted(lowers) or len(set(lowers)) != len(lowers):
            raise ValueError(f"band 'from' values must strictly ascend, got {lowers}")
        if self.bands and not self.bands_source:
            raise ValueError("bands need a 'bands_source'")
        is_ks = self.aggregation == "kiresuk_sherman"
        if is_ks != (self.inter_goal_correlation is not None):
            raise ValueError(
                "'inter_goal_correlation' is required for and only for kiresuk_sherman"
            )
        has_lookup = self.transform is not None and self.transform.lookup is not None
        if has_lookup and self.missing.max_missing and not self.missing.round_prorated:
            raise ValueError("a lookup transform with prorating needs round_prorated: true")
        return self


class Flag(Strict):
    """A flag is raised when an item's answer or a scale's score meets ``op value``."""

    id: str = Field(pattern=ITEM_PATTERN)
    item: str | None = None
    scale: str | None = None
    op: Operator
    value: float
    description: str
    source: str

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.item is None) == (self.scale is None):
            raise ValueError("a flag needs exactly one of 'item' or 'scale'")
        return self

    @property
    def target(self) -> str:
        return self.item if self.item is not None else str(self.scale)


class Instrument(Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str
    version: str
    citation: str
    licence: Licence
    licence_note: str
    respondent: Respondent
    kind: Kind
    recall_period: str
    loinc: str | None = None
    min_items: int | None = Field(default=None, ge=1)
    response_sets: dict[str, ResponseSet]
    items: tuple[Item, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = Field(min_length=1)
    flags: tuple[Flag, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        item_ids = [i.id for i in self.items]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError(f"item ids repeat: {item_ids}")
        scale_ids = [s.id for s in self.scales]
        if len(set(scale_ids)) != len(scale_ids):
            raise ValueError(f"scale ids repeat: {scale_ids}")
        for item in self.items:
            if item.response_set not in self.response_sets:
                raise ValueError(
                    f"item {item.id}: response_set {item.response_set!r} is not one of "
                    f"{sorted(self.response_sets)}"
                )
        for scale in self.scales:
            unknown = [i for i in scale.items if i not in item_ids]
            if unknown:
                raise ValueError(f"scale {scale.id}: unknown items {unknown}")
            self._check_lookup_covers_raw_range(scale)
        for flag in self.flags:
            known = item_ids if flag.item is not None else scale_ids
            if flag.target not in known:
                raise ValueError(f"flag {flag.id}: {flag.target!r} is not one of {known}")
        if self.min_items is not None and self.min_items > len(self.items):
            raise ValueError(f"min_items ({self.min_items}) exceeds the number of items")
        return self

    def _check_lookup_covers_raw_range(self, scale: Scale) -> None:
        if scale.transform is None or scale.transform.lookup is None:
            return
        if scale.aggregation != "sum":
            raise ValueError(f"scale {scale.id}: a lookup table needs sum aggregation")
        low, high = self.raw_range(scale)
        missing = [r for r in range(int(low), int(high) + 1) if r not in scale.transform.lookup]
        if missing:
            raise ValueError(f"scale {scale.id}: lookup table lacks raw scores {missing}")

    # -- derived views -------------------------------------------------------

    @cached_property
    def item_index(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def scale_index(self) -> dict[str, Scale]:
        return {s.id: s for s in self.scales}

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def required_items(self) -> int:
        """How many answers (in item order) the CLI needs at least."""
        return self.min_items if self.min_items is not None else len(self.items)

    def response_set_of(self, item_id: str) -> ResponseSet:
        return self.response_sets[self.item_index[item_id].response_set]

    def raw_range(self, scale: Scale) -> tuple[float, float]:
        """The lowest and highest aggregated raw score (before any transform)."""
        lows = [self.response_set_of(i).low for i in scale.items]
        highs = [self.response_set_of(i).high for i in scale.items]
        if scale.aggregation == "mean":
            return sum(lows) / len(lows), sum(highs) / len(highs)
        return sum(lows), sum(highs)
