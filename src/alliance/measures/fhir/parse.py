"""Import: the answers of a QuestionnaireResponse read back, and scored again."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..errors import ScoringError, UnknownInstrumentError
from ..registry import get_instrument, instrument_ids
from ..schema import Instrument, ResponseSet
from ..scoring import ScoreResult, check_answer, score
from .names import (
    INSTRUCTIONS_LINK_ID,
    QUESTIONNAIRE_BASE,
    anchor_link_id,
    option_system,
    score_link_id,
)


def instrument_of(resource: Mapping[str, Any]) -> Instrument:
    """The instrument named by a QuestionnaireResponse's ``questionnaire`` canonical."""
    if not isinstance(resource, Mapping):
        raise ScoringError(
            f"a QuestionnaireResponse must be a JSON object, got {type(resource).__name__}"
        )
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        raise ScoringError(f"expected resourceType 'QuestionnaireResponse', got {kind!r}")
    canonical = resource.get("questionnaire")
    expected = f"{QUESTIONNAIRE_BASE}<instrument id>[|version]"
    if not isinstance(canonical, str) or not canonical.startswith(QUESTIONNAIRE_BASE):
        raise ScoringError(
            f"QuestionnaireResponse.questionnaire {canonical!r} is not an Alliance "
            f"questionnaire; expected {expected}"
        )
    url, _, version = canonical.partition("|")
    instrument_id = url.removeprefix(QUESTIONNAIRE_BASE)
    try:
        inst = get_instrument(instrument_id)
    except UnknownInstrumentError:
        raise ScoringError(
            f"QuestionnaireResponse.questionnaire {canonical!r}: unknown instrument "
            f"{instrument_id!r}; known instruments: {', '.join(instrument_ids())}"
        ) from None
    if version and version != inst.version:
        raise ScoringError(
            f"{inst.id}: QuestionnaireResponse.questionnaire asks for version {version!r}; "
            f"this site has version {inst.version!r}"
        )
    if resource.get("status") == "entered-in-error":
        raise ScoringError(f"{inst.id}: the QuestionnaireResponse is marked entered-in-error")
    return inst


def answers_from_questionnaire_response(
    resource: Mapping[str, Any],
) -> tuple[Instrument, dict[str, float | None]]:
    """The instrument and its answers (every item id; ``None`` = unanswered).

    Accepts ``valueCoding`` (our system, or none, with a code that is an option
    value) or ``valueInteger`` for option items, and ``valueDecimal`` or
    ``valueInteger`` for visual-analogue items.  Nested items (under an item or
    an answer) are read too; a linkId that is not in the Questionnaire (e.g. a
    foreign group) is refused.  Score and display items are recognised and ignored.
    """
    inst = instrument_of(resource)
    ignored = {INSTRUCTIONS_LINK_ID} | {score_link_id(s) for s in inst.scales}
    for item in inst.items:
        if inst.response_sets[item.response_set].vas is not None:
            ignored |= {anchor_link_id(item.id, "lower"), anchor_link_id(item.id, "upper")}
    answers: dict[str, float | None] = dict.fromkeys(inst.item_ids)
    seen: set[str] = set()
    for link_id, node in _walk(inst, resource.get("item"), "item"):
        if link_id in ignored:
            continue
        if link_id not in inst.item_index:
            raise ScoringError(
                f"{inst.id}: unknown linkId {link_id!r}; expected one of "
                f"{', '.join(inst.item_ids)} (or the display and score items "
                f"{', '.join(sorted(ignored))}, which are ignored)"
            )
        if link_id in seen:
            raise ScoringError(f"{inst.id}: item {link_id} appears more than once")
        seen.add(link_id)
        answers[link_id] = _read_answer(inst, link_id, node.get("answer"))
    return inst, answers


def score_questionnaire_response(
    resource: Mapping[str, Any], *, weights: Mapping[str, float] | None = None
) -> ScoreResult:
    """Score a QuestionnaireResponse with ``alliance.measures.score``."""
    inst, answers = answers_from_questionnaire_response(resource)
    return score(inst, answers, weights=weights)


def _walk(inst: Instrument, items: object, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every item (with its linkId), depth first, under items and under answers."""
    if items is None:
        return
    if not isinstance(items, Sequence) or isinstance(items, str):
        raise ScoringError(f"{inst.id}: {where} must be a list of items")
    for n, node in enumerate(items):
        here = f"{where}[{n}]"
        if not isinstance(node, Mapping):
            raise ScoringError(f"{inst.id}: {here} must be an object")
        link_id = node.get("linkId")
        if not isinstance(link_id, str):
            raise ScoringError(f"{inst.id}: {here} has no linkId")
        yield link_id, node
        yield from _walk(inst, node.get("item"), f"{here}.item")
        answers = node.get("answer")
        if isinstance(answers, Sequence) and not isinstance(answers, str):
            for k, answer in enumerate(answers):
                if isinstance(answer, Mapping):
                    yield from _walk(inst, answer.get("item"), f"{here}.answer[{k}].item")


def _read_answer(inst: Instrument, item_id: str, answers: object) -> float | None:
    if answers is None:
        return None
    if not isinstance(answers, Sequence) or isinstance(answers, str):
        raise ScoringError(f"{inst.id}: item {item_id}: answer must be a list")
    if not answers:
        return None
    if len(answers) > 1:
        raise ScoringError(
            f"{inst.id}: item {item_id}: {len(answers)} answers given; the item takes one"
        )
    answer = answers[0]
    rs = inst.response_set_of(item_id)
    allowed = _allowed_values(inst, item_id, rs)
    if not isinstance(answer, Mapping):
        raise ScoringError(f"{inst.id}: item {item_id}: the answer must be an object; {allowed}")
    values = {k: v for k, v in answer.items() if k.startswith("value")}
    if len(values) != 1:
        raise ScoringError(
            f"{inst.id}: item {item_id}: expected exactly one value[x], got "
            f"{sorted(values) or 'none'}; {allowed}"
        )
    ((kind, value),) = values.items()
    is_number = (kind == "valueInteger" and _is_integer(value)) or (
        kind == "valueDecimal" and rs.vas is not None and _is_number(value)
    )
    number: float
    if kind == "valueCoding" and rs.options is not None:
        number = _read_coding(inst, item_id, value, allowed)
    elif is_number:
        number = value  # an int stays an int, so messages show 7, not 7.0
    else:
        raise ScoringError(
            f"{inst.id}: item {item_id}: {kind} {value!r} is not accepted; {allowed}"
        )
    if not math.isfinite(number):
        raise ScoringError(f"{inst.id}: item {item_id}: {value!r} is not a finite number")
    return check_answer(inst, item_id, number)


def _read_coding(inst: Instrument, item_id: str, coding: object, allowed: str) -> float:
    set_id = inst.item_index[item_id].response_set
    if not isinstance(coding, Mapping):
        raise ScoringError(f"{inst.id}: item {item_id}: valueCoding must be an object; {allowed}")
    system = coding.get("system")
    if system is not None and system != option_system(inst, set_id):
        raise ScoringError(
            f"{inst.id}: item {item_id}: valueCoding system {system!r} is not "
            f"{option_system(inst, set_id)!r}; {allowed}"
        )
    code = coding.get("code")
    options = inst.response_sets[set_id].options or ()
    by_code = {str(v): v for v in options}
    if not isinstance(code, str) or code not in by_code:
        raise ScoringError(
            f"{inst.id}: item {item_id}: valueCoding code {code!r} is not allowed; {allowed}"
        )
    return float(by_code[code])


def _allowed_values(inst: Instrument, item_id: str, rs: ResponseSet) -> str:
    if rs.options is not None:
        system = option_system(inst, inst.item_index[item_id].response_set)
        codes = ", ".join(str(v) for v in rs.options)
        return f"expected valueCoding (system {system}, code one of {codes}) or valueInteger"
    return f"expected valueDecimal or valueInteger, {rs.describe_allowed()}"


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
