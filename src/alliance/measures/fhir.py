"""FHIR R4 mapping: instruments as Questionnaires, responses as QuestionnaireResponses.

Pure Python producing plain JSON-ready dicts (no Django, no FHIR model classes at
run time; the tests validate the output with the ``fhir.resources`` R4B models,
whose Questionnaire and QuestionnaireResponse have the R4 (4.0.1) shape).

The mapping
-----------
Questionnaire (one per instrument and language):

* ``url`` is the canonical ``https://alliance.invalid/fhir/Questionnaire/<instrument id>``
  (``.invalid`` because these canonicals are names, not addresses that resolve);
  ``version`` is the instrument's version; ``id`` is the instrument id with ``_``
  turned into ``-`` (FHIR ids allow only ``[A-Za-z0-9-.]``); ``name`` is its
  PascalCase form (invariant que-0).
* ``code`` carries the panel LOINC code where the definition has one; each
  question's ``item.code`` carries the item's LOINC code where it has one.
* ``copyright`` holds the licence note, the licence status and the wording
  pack's source; ``description`` the citation.  A wording pack that is a
  neutral placeholder is announced in ``description`` and by the extension
  ``PLACEHOLDER_EXTENSION`` (``valueBoolean``, present on every export).
* The instructions are the first item, a ``display`` item (``INSTRUCTIONS_LINK_ID``).
* Each instrument item is one question with ``linkId`` = the item id, in
  definition order:

  - option response sets give a ``choice`` item whose ``answerOption`` list holds
    one ``valueCoding`` per option: ``system`` = ``option_system(instrument, set)``,
    ``code`` = the option's numeric value as text, ``display`` = the pack's label,
    and the numeric score in the ``ordinalValue`` extension on the Coding.
  - visual-analogue response sets give a ``decimal`` item with the ``minValue``
    and ``maxValue`` extensions, ``questionnaire-itemControl`` = ``slider``,
    ``maxDecimalPlaces`` from the step, ``questionnaire-sliderStepValue`` when the
    step is a whole number (that extension is ``valueInteger`` in R4), and the two
    anchors as nested ``display`` items with item controls ``lower`` and ``upper``.

* Each scale adds a read-only, hidden ``decimal`` item ``score-<scale id>`` (with
  the scale's LOINC code, e.g. the PHQ-9 total 44261-6), so that a
  QuestionnaireResponse carrying scores still conforms to its Questionnaire.

QuestionnaireResponse (``questionnaire_response``): ``questionnaire`` =
``url|version``, ``status`` = ``completed``; one item per answered question
(``valueCoding`` with the same Coding as the answer option, ordinal value
included, or ``valueDecimal``; unanswered questions are left out, as R4
allows); then one ``score-<scale id>`` item per scale that has a score, answered
with ``valueDecimal`` = the score exactly as Alliance computed it.  A scale
without a score (too many missing items) has no item.  Bands and flags are not
carried: they follow from the answers and scores by the definition.

Import (``answers_from_questionnaire_response``) reads the answers back and
ignores the score items: ``score_questionnaire_response`` always recomputes the
scores from the answers with the definition, which is authoritative.  Goal
weights (goal attainment scaling) are not part of a ScoreResult and so are not
carried; pass them to ``score_questionnaire_response`` again.

Sources: FHIR R4 (4.0.1) Questionnaire and QuestionnaireResponse
(https://hl7.org/fhir/R4/questionnaire.html, .../questionnaireresponse.html);
the R4 core extensions ordinalValue, minValue, maxValue, maxDecimalPlaces,
questionnaire-itemControl, questionnaire-sliderStepValue, questionnaire-hidden
(https://hl7.org/fhir/R4/extensibility-registry.html) and the code system
http://hl7.org/fhir/questionnaire-item-control.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .errors import ScoringError, UnknownInstrumentError
from .registry import get_instrument, instrument_ids, resolve
from .schema import Instrument, Item, ResponseSet, Scale
from .scoring import ScoreResult, check_answer, json_number, score
from .wording import WordingPack, get_wording

JSON = dict[str, Any]

CANONICAL_BASE = "https://alliance.invalid/fhir"
QUESTIONNAIRE_BASE = f"{CANONICAL_BASE}/Questionnaire/"
LOINC = "http://loinc.org"

# Item weights.  R4 (4.0.1) defines http://hl7.org/fhir/StructureDefinition/ordinalValue
# (valueDecimal; contexts Coding, Questionnaire.item.answerOption, CodeSystem.concept,
# ValueSet.compose.include.concept), and SDC 3.0 (the R4 edition) scores with it.
# ``itemWeight`` is its R5 successor (FHIR 5.0.0 / the extensions pack), so it is not
# used for an R4 export.  We put it on the answer's Coding (an allowed R4 context) so the
# weight travels with the Coding into QuestionnaireResponse answers as well.
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
# questionnaire-sliderStepValue is valueInteger in R4: only whole-number steps fit it.
SLIDER_STEP_VALUE = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"
PLACEHOLDER_EXTENSION = f"{CANONICAL_BASE}/StructureDefinition/wording-placeholder"

INSTRUCTIONS_LINK_ID = "display-instructions"
SCORE_PREFIX = "score-"

#: R4 QuestionnaireItemType codes (R5 renamed ``choice`` to ``coding``; we export R4).
R4_ITEM_TYPES = frozenset(
    {
        "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
        "string", "text", "url", "choice", "open-choice", "attachment", "reference", "quantity",
    }
)  # fmt: skip

# FHIR R4 dateTime (datatypes.html#dateTime): a time needs a time zone.
_DATE_TIME = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)


# -- names -----------------------------------------------------------------------


def canonical_url(instrument: str | Instrument) -> str:
    """The Questionnaire's canonical URL (without version)."""
    return QUESTIONNAIRE_BASE + resolve(instrument).id


def option_system(instrument: Instrument, response_set: str) -> str:
    """The code system of one response set's options (codes are the numeric values)."""
    return f"{CANONICAL_BASE}/CodeSystem/{instrument.id}-{response_set}"


def score_link_id(scale: Scale | str) -> str:
    return SCORE_PREFIX + (scale if isinstance(scale, str) else scale.id)


def anchor_link_id(item_id: str, end: str) -> str:
    return f"{item_id}-{end}"


def resource_id(instrument: Instrument) -> str:
    return instrument.id.replace("_", "-")


def machine_name(instrument: Instrument) -> str:
    """PascalCase name, as invariant que-0 asks (``[A-Z]([A-Za-z0-9_]){0,254}``)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", instrument.id))


def _ext(url: str, **value: Any) -> JSON:
    return {"url": url, **value}


def _item_control(code: str) -> JSON:
    return _ext(
        ITEM_CONTROL,
        valueCodeableConcept={"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]},
    )


def _loinc(code: str | None) -> list[JSON] | None:
    return [{"system": LOINC, "code": code}] if code else None


def _decimal_places(step: float) -> int:
    """Decimal places needed to write multiples of ``step`` (0.1 -> 1, 0.25 -> 2, 1 -> 0)."""
    text = f"{step:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


# -- Questionnaire ---------------------------------------------------------------


def questionnaire(instrument: str | Instrument, language: str = "en") -> JSON:
    """The instrument as a FHIR R4 Questionnaire (a JSON-ready dict).

    Wording comes from ``get_wording(instrument, language)`` (an installed pack
    takes precedence; unknown languages fall back to English, and the resource's
    ``language`` says which pack was used).
    """
    inst = resolve(instrument)
    pack = get_wording(inst, language)
    description = (
        f"{inst.title}: answered by the {inst.respondent}; recall period: "
        f"{inst.recall_period}.\n\nCitation: {inst.citation}"
    )
    if pack.placeholder:
        description += (
            "\n\nThe item wording here is a neutral placeholder paraphrase, not the official "
            "text. A licensed site installs the official wording with "
            f"`alliance instruments install-text {inst.id} FILE`."
        )
    resource: JSON = {
        "resourceType": "Questionnaire",
        "id": resource_id(inst),
        "language": pack.language,
        "extension": [_ext(PLACEHOLDER_EXTENSION, valueBoolean=pack.placeholder)],
        "url": canonical_url(inst),
        "version": inst.version,
        "name": machine_name(inst),
        "title": inst.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": description,
        "copyright": (
            f"{inst.licence_note}\n\nLicence status: {inst.licence}. "
            f"Wording ({pack.language}): {pack.source}"
        ),
    }
    if inst.loinc:
        resource["code"] = _loinc(inst.loinc)
    items: list[JSON] = [
        {"linkId": INSTRUCTIONS_LINK_ID, "text": pack.instructions, "type": "display"}
    ]
    items += [_question(inst, pack, n, item) for n, item in enumerate(inst.items, start=1)]
    items += [_score_item(scale) for scale in inst.scales]
    resource["item"] = items
    return resource


def _question(inst: Instrument, pack: WordingPack, number: int, item: Item) -> JSON:
    rs = inst.response_sets[item.response_set]
    out: JSON = {"linkId": item.id}
    if item.loinc:
        out["code"] = _loinc(item.loinc)
    out["prefix"] = f"{number}."
    out["text"] = pack.items[item.id]
    if rs.options is not None:
        labels = pack.options[item.response_set]
        out["type"] = "choice"
        out["answerOption"] = [
            {"valueCoding": _coding(inst, item.response_set, value, labels[value])}
            for value in rs.options
        ]
        return out
    vas = rs.vas
    assert vas is not None  # a response set has options or vas (schema)
    extensions = [
        _ext(MIN_VALUE, valueDecimal=json_number(vas.min)),
        _ext(MAX_VALUE, valueDecimal=json_number(vas.max)),
        _ext(MAX_DECIMAL_PLACES, valueInteger=_decimal_places(vas.step)),
        _item_control("slider"),
    ]
    if float(vas.step).is_integer():
        extensions.append(_ext(SLIDER_STEP_VALUE, valueInteger=int(vas.step)))
    anchors = pack.anchors[item.id]
    out["type"] = "decimal"
    out["extension"] = extensions
    out["item"] = [
        {
            "linkId": anchor_link_id(item.id, end),
            "text": text,
            "type": "display",
            "extension": [_item_control(end)],
        }
        for end, text in (("lower", anchors.low), ("upper", anchors.high))
    ]
    return out


def _coding(inst: Instrument, response_set: str, value: int, display: str | None) -> JSON:
    coding: JSON = {
        "extension": [_ext(ORDINAL_VALUE, valueDecimal=value)],
        "system": option_system(inst, response_set),
        "code": str(value),
    }
    if display is not None:
        coding["display"] = display
    return coding


def _score_item(scale: Scale) -> JSON:
    out: JSON = {
        "extension": [_ext(HIDDEN, valueBoolean=True)],
        "linkId": score_link_id(scale),
    }
    if scale.loinc:
        out["code"] = _loinc(scale.loinc)
    out.update(
        {
            "text": f"{scale.title} (score computed by Alliance)",
            "type": "decimal",
            "readOnly": True,
        }
    )
    return out


# -- QuestionnaireResponse out ---------------------------------------------------


def questionnaire_response(
    result: ScoreResult,
    *,
    authored: str | None = None,
    subject: str | None = None,
    language: str = "en",
) -> JSON:
    """A completed QuestionnaireResponse carrying the answers and the scale scores.

    ``authored`` is a FHIR dateTime (a time needs a time zone); ``subject`` a
    reference such as ``"Patient/123"``; ``language`` picks the option labels
    put in each Coding's ``display``.
    """
    inst = resolve(result.instrument)
    if not result.answers:
        raise ScoringError(
            f"{inst.id}: the ScoreResult carries no answers; score the response with "
            "alliance.measures.score to get one that does"
        )
    if authored is not None and not _DATE_TIME.fullmatch(authored):
        raise ScoringError(
            f"{inst.id}: authored {authored!r} is not a FHIR dateTime; expected e.g. "
            "2024-05-01 or 2024-05-01T09:30:00+01:00 (a time needs a time zone)"
        )
    pack = get_wording(inst, language)
    resource: JSON = {
        "resourceType": "QuestionnaireResponse",
        "language": pack.language,
        "questionnaire": f"{canonical_url(inst)}|{inst.version}",
        "status": "completed",
    }
    if subject is not None:
        resource["subject"] = {"reference": subject}
    if authored is not None:
        resource["authored"] = authored
    items: list[JSON] = []
    for item in inst.items:
        value = check_answer(inst, item.id, result.answers.get(item.id))
        if value is None:
            continue
        rs = inst.response_sets[item.response_set]
        if rs.options is not None:
            option = int(value)
            label = pack.options[item.response_set].get(option)
            answer: JSON = {"valueCoding": _coding(inst, item.response_set, option, label)}
        else:
            answer = {"valueDecimal": json_number(value)}
        items.append({"linkId": item.id, "answer": [answer]})
    for scale in inst.scales:
        scale_score = result.scores.get(scale.id)
        if scale_score is not None:
            items.append(
                {
                    "linkId": score_link_id(scale),
                    "answer": [{"valueDecimal": json_number(scale_score)}],
                }
            )
    if items:
        resource["item"] = items
    return resource


# -- QuestionnaireResponse in ----------------------------------------------------


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
