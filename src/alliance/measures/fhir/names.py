"""The names the export and the import share: canonical URLs, extension URLs, linkIds."""

from __future__ import annotations

import re
from typing import Any

from ..registry import resolve
from ..schema import Instrument, Scale

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
