"""Export: an instrument as a Questionnaire, a ScoreResult as a QuestionnaireResponse."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ScoringError
from ..registry import resolve
from ..schema import Instrument, Item, Scale
from ..scoring import ScoreResult, check_answer, json_number
from ..wording import WordingPack, get_wording
from .names import (
    HIDDEN,
    INSTRUCTIONS_LINK_ID,
    ITEM_CONTROL,
    ITEM_CONTROL_SYSTEM,
    JSON,
    LOINC,
    MAX_DECIMAL_PLACES,
    MAX_VALUE,
    MIN_VALUE,
    ORDINAL_VALUE,
    PLACEHOLDER_EXTENSION,
    SLIDER_STEP_VALUE,
    anchor_link_id,
    canonical_url,
    machine_name,
    option_system,
    resource_id,
    score_link_id,
)

# FHIR R4 dateTime (datatypes.html#dateTime): a time needs a time zone.
_DATE_TIME = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)


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
