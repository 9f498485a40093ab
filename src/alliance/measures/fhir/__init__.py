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

The package's modules: :mod:`.names` (canonical URLs, extension URLs and linkIds),
:mod:`.export` (``questionnaire``, ``questionnaire_response``) and :mod:`.parse`
(``instrument_of``, ``answers_from_questionnaire_response``,
``score_questionnaire_response``).
"""

from .export import questionnaire, questionnaire_response
from .names import (
    CANONICAL_BASE,
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
    QUESTIONNAIRE_BASE,
    R4_ITEM_TYPES,
    SCORE_PREFIX,
    SLIDER_STEP_VALUE,
    anchor_link_id,
    canonical_url,
    machine_name,
    option_system,
    resource_id,
    score_link_id,
)
from .parse import (
    answers_from_questionnaire_response,
    instrument_of,
    score_questionnaire_response,
)

__all__ = [
    "CANONICAL_BASE",
    "HIDDEN",
    "INSTRUCTIONS_LINK_ID",
    "ITEM_CONTROL",
    "ITEM_CONTROL_SYSTEM",
    "JSON",
    "LOINC",
    "MAX_DECIMAL_PLACES",
    "MAX_VALUE",
    "MIN_VALUE",
    "ORDINAL_VALUE",
    "PLACEHOLDER_EXTENSION",
    "QUESTIONNAIRE_BASE",
    "R4_ITEM_TYPES",
    "SCORE_PREFIX",
    "SLIDER_STEP_VALUE",
    "anchor_link_id",
    "answers_from_questionnaire_response",
    "canonical_url",
    "instrument_of",
    "machine_name",
    "option_system",
    "questionnaire",
    "questionnaire_response",
    "resource_id",
    "score_link_id",
    "score_questionnaire_response",
]
