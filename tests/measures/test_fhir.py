"""FHIR R4 export and import: Questionnaire, QuestionnaireResponse.

Sources:
- FHIR R4 (4.0.1) Questionnaire, https://hl7.org/fhir/R4/questionnaire.html (item types of
  the R4 value set item-type, answerOption.value[x], invariants que-0 name pattern and
  que-2 unique linkIds) and QuestionnaireResponse,
  https://hl7.org/fhir/R4/questionnaireresponse.html (answer.value[x]; unanswered items may
  be left out).
- R4 core extensions (https://hl7.org/fhir/R4/extensibility-registry.html):
  ordinalValue https://hl7.org/fhir/R4/extension-ordinalvalue.html (valueDecimal; contexts
  Coding and Questionnaire.item.answerOption; replaced by itemWeight only in R5),
  minValue / maxValue https://hl7.org/fhir/R4/extension-minvalue.html and
  extension-maxvalue.html, maxDecimalPlaces https://hl7.org/fhir/R4/extension-maxdecimalplaces.html
  (valueInteger), questionnaire-sliderStepValue
  https://hl7.org/fhir/R4/extension-questionnaire-sliderstepvalue.html (valueInteger),
  questionnaire-itemControl https://hl7.org/fhir/R4/extension-questionnaire-itemcontrol.html
  with the code system https://hl7.org/fhir/R4/codesystem-questionnaire-item-control.html
  (slider, lower, upper), questionnaire-hidden
  https://hl7.org/fhir/R4/extension-questionnaire-hidden.html (valueBoolean).
- FHIR R4 dateTime: https://hl7.org/fhir/R4/datatypes.html#dateTime (a time needs a zone).
- LOINC: https://loinc.org/44249-1 (PHQ-9 quick depression assessment panel),
  https://loinc.org/44261-6 (PHQ-9 total score), https://loinc.org/69737-5 (GAD-7 panel),
  https://loinc.org/70274-6 (GAD-7 total score).
- PHQ-9 scoring for the hand-written response: Kroenke, Spitzer & Williams 2001, J Gen
  Intern Med 16:606-613 (sum of nine 0-3 items; 10-14 moderate) and the PHQ instruction
  manual (pro-rating with one or two items missing).
Validation uses the ``fhir.resources`` R4B models, whose Questionnaire and
QuestionnaireResponse have the R4 shape; the checks below add what those models do not
enforce (item type codes, extension value types, unique linkIds).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from alliance.cli import main
from alliance.measures import (
    Instrument,
    ScoringError,
    get_instrument,
    get_wording,
    instrument_ids,
    score,
)
from alliance.measures.fhir import (
    answers_from_questionnaire_response,
    questionnaire,
    questionnaire_response,
    score_questionnaire_response,
)

LOINC = "http://loinc.org"
BASE = "https://alliance.invalid/fhir/Questionnaire/"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
SLIDER_STEP = "http://hl7.org/fhir/StructureDefinition/questionnaire-sliderStepValue"
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
HIDDEN = "http://hl7.org/fhir/StructureDefinition/questionnaire-hidden"

# R4 value set http://hl7.org/fhir/ValueSet/item-type (R5 renamed choice to coding).
R4_ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "choice", "open-choice", "attachment", "reference", "quantity",
}  # fmt: skip
# The value[x] type of each R4 core extension we use (see the module docstring).
HL7_EXTENSION_VALUE = {
    ORDINAL_VALUE: "valueDecimal",
    MIN_VALUE: "valueDecimal",
    MAX_VALUE: "valueDecimal",
    MAX_DECIMAL_PLACES: "valueInteger",
    SLIDER_STEP: "valueInteger",
    ITEM_CONTROL: "valueCodeableConcept",
    HIDDEN: "valueBoolean",
}
# R4 code system questionnaire-item-control, the codes we may use.
R4_ITEM_CONTROLS = {"slider", "lower", "upper"}

ALL = instrument_ids()


@pytest.fixture(autouse=True)
def _no_installed_wording(tmp_path, monkeypatch):
    """Use only the shipped wording packs, whatever this machine has installed."""
    monkeypatch.setenv("ALLIANCE_WORDING_DIR", str(tmp_path / "wording"))


# -- helpers ---------------------------------------------------------------------


def walk_items(items: list[dict[str, Any]] | None) -> Iterator[dict[str, Any]]:
    for item in items or []:
        yield item
        yield from walk_items(item.get("item"))
        for answer in item.get("answer", []):
            yield from walk_items(answer.get("item"))


def walk_extensions(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield from node.get("extension", [])
        for value in node.values():
            yield from walk_extensions(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_extensions(value)


def check_r4_questionnaire(resource: dict[str, Any]) -> None:
    Questionnaire.model_validate(resource)
    assert re.fullmatch(r"[A-Z]([A-Za-z0-9_]){0,254}", resource["name"])  # que-0
    link_ids = [i["linkId"] for i in walk_items(resource["item"])]
    assert len(link_ids) == len(set(link_ids)), f"linkIds repeat: {link_ids}"  # que-2
    for item in walk_items(resource["item"]):
        assert item["type"] in R4_ITEM_TYPES, f"{item['linkId']}: {item['type']} is not R4"
    check_extensions(resource)


def check_extensions(resource: dict[str, Any]) -> None:
    for ext in walk_extensions(resource):
        url = ext["url"]
        values = [k for k in ext if k.startswith("value")]
        assert len(values) == 1, ext
        if url.startswith("http://hl7.org/"):
            assert url in HL7_EXTENSION_VALUE, f"{url} is not one of the R4 extensions used"
            assert values == [HL7_EXTENSION_VALUE[url]], ext
        if url == ITEM_CONTROL:
            (coding,) = ext["valueCodeableConcept"]["coding"]
            assert coding["system"] == "http://hl7.org/fhir/questionnaire-item-control"
            assert coding["code"] in R4_ITEM_CONTROLS


def extension(node: Mapping[str, Any], url: str) -> Any:
    found = [e for e in node.get("extension", []) if e["url"] == url]
    assert len(found) <= 1
    if not found:
        return None
    (value,) = (v for k, v in found[0].items() if k.startswith("value"))
    return value


def questions(resource: dict[str, Any], inst: Instrument) -> list[dict[str, Any]]:
    by_id = {i["linkId"]: i for i in resource["item"]}
    return [by_id[item_id] for item_id in inst.item_ids]


def sample_answers(inst: Instrument) -> dict[str, float | None]:
    """A varied, valid answer for every item: options cycle, VAS values spread over the line."""
    answers: dict[str, float | None] = {}
    for n, item in enumerate(inst.items):
        rs = inst.response_sets[item.response_set]
        if rs.options is not None:
            options = sorted(rs.options)
            answers[item.id] = options[(2 * n + 1) % len(options)]
        else:
            assert rs.vas is not None
            steps = round((rs.vas.max - rs.vas.min) / rs.vas.step)
            answers[item.id] = round(rs.vas.min + rs.vas.step * ((37 * n + 13) % (steps + 1)), 6)
    return answers


def check_round_trip(instrument_id: str, answers: Mapping[str, float | None]) -> dict[str, Any]:
    result = score(instrument_id, answers)
    resource = questionnaire_response(
        result, authored="2024-05-01T09:30:00+01:00", subject="Patient/example"
    )
    QuestionnaireResponse.model_validate(resource)
    check_extensions(resource)
    inst, imported = answers_from_questionnaire_response(json.loads(json.dumps(resource)))
    assert inst.id == instrument_id
    assert imported == dict(result.answers)
    again = score_questionnaire_response(resource)
    assert dict(again.scores) == dict(result.scores)
    assert dict(again.bands) == dict(result.bands)
    assert again.flags == result.flags
    assert again.missing == result.missing
    # every response item is an item of the Questionnaire, and coded answers are its options
    q_items = {i["linkId"]: i for i in walk_items(questionnaire(instrument_id)["item"])}
    for item in resource.get("item", []):
        assert item["linkId"] in q_items
        (answer,) = item["answer"]
        if "valueCoding" in answer:
            options = [o["valueCoding"] for o in q_items[item["linkId"]]["answerOption"]]
            assert answer["valueCoding"] in options
    # the scores travel exactly as computed; uncomputable scores are absent
    carried = {
        i["linkId"].removeprefix("score-"): i["answer"][0]["valueDecimal"]
        for i in resource.get("item", [])
        if i["linkId"].startswith("score-")
    }
    assert carried == {k: v for k, v in result.scores.items() if v is not None}
    return resource


def phq9_response(*items: dict[str, Any], questionnaire_url: str | None = None) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_url or BASE + "phq9|1999",
        "status": "completed",
        "item": list(items),
    }


def coded(link_id: str, code: str, *, system: bool = True) -> dict[str, Any]:
    coding: dict[str, Any] = {"code": code}
    if system:
        coding["system"] = "https://alliance.invalid/fhir/CodeSystem/phq9-frequency"
    return {"linkId": link_id, "answer": [{"valueCoding": coding}]}


def integer(link_id: str, value: int) -> dict[str, Any]:
    return {"linkId": link_id, "answer": [{"valueInteger": value}]}


# -- Questionnaire: every instrument ---------------------------------------------


@pytest.mark.parametrize("instrument_id", ALL)
def test_it_exports_every_instrument_as_a_valid_r4_questionnaire(instrument_id):
    inst = get_instrument(instrument_id)
    resource = questionnaire(instrument_id)
    check_r4_questionnaire(resource)
    assert resource["resourceType"] == "Questionnaire"
    assert resource["url"] == BASE + instrument_id
    assert resource["version"] == inst.version
    assert resource["status"] == "active"
    assert resource["title"] == inst.title
    assert inst.licence_note in resource["copyright"]
    assert inst.citation in resource["description"]
    assert json.loads(json.dumps(resource)) == resource  # plain JSON-ready data


@pytest.mark.parametrize("instrument_id", ALL)
def test_it_maps_every_item_option_and_scale(instrument_id):
    inst = get_instrument(instrument_id)
    pack = get_wording(instrument_id, "en")
    resource = questionnaire(instrument_id)
    assert resource["item"][0]["type"] == "display"
    assert resource["item"][0]["text"] == pack.instructions
    for item, q in zip(inst.items, questions(resource, inst), strict=True):
        assert q["text"] == pack.items[item.id]
        if item.loinc:
            assert q["code"] == [{"system": LOINC, "code": item.loinc}]
        else:
            assert "code" not in q
        rs = inst.response_sets[item.response_set]
        if rs.options is not None:
            assert q["type"] == "choice"
            codings = [o["valueCoding"] for o in q["answerOption"]]
            assert [c["code"] for c in codings] == [str(v) for v in rs.options]
            assert [extension(c, ORDINAL_VALUE) for c in codings] == list(rs.options)
            labels = pack.options[item.response_set]
            assert [c["display"] for c in codings] == [labels[v] for v in rs.options]
        else:
            assert rs.vas is not None
            assert q["type"] == "decimal"
            assert extension(q, MIN_VALUE) == rs.vas.min
            assert extension(q, MAX_VALUE) == rs.vas.max
            control = extension(q, ITEM_CONTROL)["coding"][0]["code"]
            assert control == "slider"
    for scale in inst.scales:
        (item,) = [i for i in resource["item"] if i["linkId"] == f"score-{scale.id}"]
        assert item["type"] == "decimal"
        assert item["readOnly"] is True
        assert extension(item, HIDDEN) is True
        if scale.loinc:
            assert item["code"] == [{"system": LOINC, "code": scale.loinc}]


@pytest.mark.parametrize("instrument_id", ALL)
def test_it_says_when_the_wording_is_a_placeholder(instrument_id):
    pack = get_wording(instrument_id, "en")
    resource = questionnaire(instrument_id)
    flag = extension(
        resource, "https://alliance.invalid/fhir/StructureDefinition/wording-placeholder"
    )
    assert flag is pack.placeholder
    assert ("placeholder" in resource["description"].lower()) == pack.placeholder
    if pack.placeholder:
        assert f"alliance instruments install-text {instrument_id}" in resource["description"]


def test_it_codes_phq9_with_its_loinc_panel_items_and_total():
    # loinc.org/44249-1 (panel), 44250-9 (item 1), 44260-8 (item 9), 44261-6 (total)
    resource = questionnaire("phq9")
    assert resource["code"] == [{"system": LOINC, "code": "44249-1"}]
    by_id = {i["linkId"]: i for i in resource["item"]}
    assert by_id["phq9_1"]["code"] == [{"system": LOINC, "code": "44250-9"}]
    assert by_id["phq9_9"]["code"] == [{"system": LOINC, "code": "44260-8"}]
    assert by_id["score-total"]["code"] == [{"system": LOINC, "code": "44261-6"}]


@pytest.mark.skipif("gad7" not in ALL, reason="gad7 is not registered yet")
def test_it_codes_gad7_with_its_loinc_panel_and_total():
    # loinc.org/69737-5 (GAD-7 panel), 70274-6 (GAD-7 total score)
    resource = questionnaire("gad7")
    assert resource["code"] == [{"system": LOINC, "code": "69737-5"}]
    totals = [
        i for i in resource["item"] if i.get("code") == [{"system": LOINC, "code": "70274-6"}]
    ]
    assert [i["linkId"] for i in totals] == ["score-total"]


VAS = [i for i in ALL if any(rs.vas for rs in get_instrument(i).response_sets.values())]


@pytest.mark.parametrize("instrument_id", VAS)
def test_it_exports_visual_analogue_items_as_decimal_sliders_with_anchors(instrument_id):
    inst = get_instrument(instrument_id)
    pack = get_wording(instrument_id, "en")
    for item, q in zip(inst.items, questions(questionnaire(instrument_id), inst), strict=True):
        vas = inst.response_sets[item.response_set].vas
        if vas is None:
            continue
        # R4 sliderStepValue is an integer: a step such as 0.1 is given as 1 decimal place
        places = len(f"{vas.step:g}".partition(".")[2])
        assert extension(q, MAX_DECIMAL_PLACES) == places
        if vas.step == int(vas.step):
            assert extension(q, SLIDER_STEP) == int(vas.step)
        else:
            assert extension(q, SLIDER_STEP) is None
        lower, upper = q["item"]
        assert (lower["type"], upper["type"]) == ("display", "display")
        assert extension(lower, ITEM_CONTROL)["coding"][0]["code"] == "lower"
        assert extension(upper, ITEM_CONTROL)["coding"][0]["code"] == "upper"
        assert (lower["text"], upper["text"]) == (
            pack.anchors[item.id].low,
            pack.anchors[item.id].high,
        )


def test_it_reports_the_language_of_the_wording_it_used():
    # no French pack ships for the PHQ-9, so the English one is used and declared
    assert questionnaire("phq9", language="fr")["language"] == "en"


def test_it_accepts_an_instrument_object():
    assert questionnaire(get_instrument("phq9")) == questionnaire("phq9")


# -- QuestionnaireResponse round trip --------------------------------------------


@pytest.mark.parametrize("instrument_id", ALL)
def test_it_round_trips_a_scored_response_through_fhir(instrument_id):
    check_round_trip(instrument_id, sample_answers(get_instrument(instrument_id)))


@pytest.mark.parametrize("instrument_id", ALL)
def test_it_round_trips_a_response_with_an_unanswered_item(instrument_id):
    inst = get_instrument(instrument_id)
    answers = sample_answers(inst)
    answers[inst.item_ids[0]] = None
    resource = check_round_trip(instrument_id, answers)
    assert inst.item_ids[0] not in [i["linkId"] for i in resource["item"]]


def test_it_leaves_out_a_score_that_cannot_be_computed():
    # three PHQ-9 items missing: more than the two the manual allows, so no total
    answers = dict.fromkeys(get_instrument("phq9").item_ids, 1)
    answers.update(phq9_1=None, phq9_2=None, phq9_3=None)
    resource = check_round_trip("phq9", answers)
    assert "score-total" not in [i["linkId"] for i in resource["item"]]


def test_it_carries_the_ordinal_value_and_label_in_each_coded_answer():
    result = score("phq9", dict.fromkeys(get_instrument("phq9").item_ids, 2))
    resource = questionnaire_response(result)
    coding = resource["item"][0]["answer"][0]["valueCoding"]
    assert coding["code"] == "2"
    assert extension(coding, ORDINAL_VALUE) == 2
    assert coding["display"] == "More than half the days"
    assert resource["questionnaire"] == BASE + "phq9|1999"
    assert resource["status"] == "completed"
    # 9 items x 2 = 18
    assert resource["item"][-1] == {"linkId": "score-total", "answer": [{"valueDecimal": 18}]}


def test_it_rejects_an_authored_time_without_a_time_zone():
    result = score("phq9", dict.fromkeys(get_instrument("phq9").item_ids, 0))
    with pytest.raises(ScoringError, match=r"phq9: authored '2024-05-01T09:30:00'.*time zone"):
        questionnaire_response(result, authored="2024-05-01T09:30:00")
    dated = questionnaire_response(result, authored="2024-05-01")
    QuestionnaireResponse.model_validate(dated)


# -- QuestionnaireResponse import ------------------------------------------------


def test_it_scores_a_hand_written_phq9_response_with_coded_answers():
    resource = phq9_response(
        coded("phq9_1", "1"),
        coded("phq9_2", "2"),
        coded("phq9_3", "3", system=False),
        coded("phq9_4", "0"),
        coded("phq9_5", "1"),
        coded("phq9_6", "2", system=False),
        coded("phq9_7", "1"),
        coded("phq9_8", "0"),
        coded("phq9_9", "1"),
    )
    QuestionnaireResponse.model_validate(resource)
    result = score_questionnaire_response(resource)
    # 1+2+3+0+1+2+1+0+1 = 11: "moderate" (10-14, Kroenke et al. 2001);
    # item 9 answered above 0 raises the self-harm flag
    assert result.scores["total"] == 11
    assert result.bands["total"] == "moderate"
    assert result.flags == ("risk_self_harm",)
    assert result.answers["phq9_3"] == 3


def test_it_reads_integer_answers_and_prorates_a_missing_item():
    resource = phq9_response(
        *[integer(f"phq9_{n}", v) for n, v in enumerate([1, 2, 3, 0, 1, 2, 1], start=1)],
        {"linkId": "phq9_8", "answer": []},
        integer("phq9_9", 1),
        questionnaire_url=BASE + "phq9",
    )
    QuestionnaireResponse.model_validate(resource)
    result = score_questionnaire_response(resource)
    # eight answers summing to 11 -> 11 * 9 / 8 = 12.375 -> 12 (PHQ manual pro-rating)
    assert result.scores["total"] == 12
    assert result.missing == ("phq9_8",)


def test_it_ignores_the_score_items_and_recomputes_the_scores():
    result = score("phq9", dict.fromkeys(get_instrument("phq9").item_ids, 1))
    resource = questionnaire_response(result)
    tampered = copy.deepcopy(resource)
    tampered["item"][-1]["answer"][0]["valueDecimal"] = 27
    # nine answers of 1 = 9, whatever the carried score says
    assert score_questionnaire_response(tampered).scores["total"] == 9


BAD_RESPONSES = [
    pytest.param(
        {"resourceType": "Questionnaire"},
        r"expected resourceType 'QuestionnaireResponse'",
        id="not-a-response",
    ),
    pytest.param(
        phq9_response(questionnaire_url=BASE + "nope"),
        r"unknown instrument 'nope'; known instruments: .*phq9",
        id="unknown-instrument",
    ),
    pytest.param(
        phq9_response(questionnaire_url="http://loinc.org/q/44249-1"),
        r"not an Alliance questionnaire; expected https://alliance\.invalid/fhir/Questionnaire/",
        id="foreign-questionnaire",
    ),
    pytest.param(
        phq9_response(questionnaire_url=BASE + "phq9|2099"),
        r"phq9: .*version '2099'; this site has version '1999'",
        id="other-version",
    ),
    pytest.param(
        phq9_response({"linkId": "page-1", "item": [integer("phq9_1", 1)]}),
        r"phq9: unknown linkId 'page-1'",
        id="foreign-group",
    ),
    pytest.param(
        phq9_response(integer("phq9_10", 1)),
        r"phq9: unknown linkId 'phq9_10'; expected one of phq9_1, .*phq9_9",
        id="unknown-linkId",
    ),
    pytest.param(
        phq9_response({"linkId": "phq9_1", "answer": [{"valueString": "2"}]}),
        r"phq9: item phq9_1: valueString '2' is not accepted; expected valueCoding "
        r"\(system .*phq9-frequency, code one of 0, 1, 2, 3\) or valueInteger",
        id="string-for-number",
    ),
    pytest.param(
        phq9_response({"linkId": "phq9_1", "answer": [{"valueInteger": "2"}]}),
        r"phq9: item phq9_1: valueInteger '2' is not accepted",
        id="integer-as-text",
    ),
    pytest.param(
        phq9_response({"linkId": "phq9_1", "answer": [{"valueDecimal": 2.0}]}),
        r"phq9: item phq9_1: valueDecimal 2\.0 is not accepted; expected valueCoding",
        id="decimal-for-choice",
    ),
    pytest.param(
        phq9_response(coded("phq9_2", "4")),
        r"phq9: item phq9_2: valueCoding code '4' is not allowed; .*code one of 0, 1, 2, 3",
        id="unknown-code",
    ),
    pytest.param(
        phq9_response(
            {"linkId": "phq9_2", "answer": [{"valueCoding": {"system": LOINC, "code": "1"}}]}
        ),
        r"phq9: item phq9_2: valueCoding system 'http://loinc.org' is not",
        id="foreign-code-system",
    ),
    pytest.param(
        phq9_response(integer("phq9_3", 7)),
        r"phq9: item phq9_3: 7 is not allowed; expected one of 0, 1, 2, 3",
        id="integer-out-of-range",
    ),
    pytest.param(
        phq9_response({"linkId": "phq9_4", "answer": [{"valueInteger": 1}, {"valueInteger": 2}]}),
        r"phq9: item phq9_4: 2 answers given; the item takes one",
        id="two-answers",
    ),
    pytest.param(
        phq9_response(integer("phq9_5", 1), integer("phq9_5", 1)),
        r"phq9: item phq9_5 appears more than once",
        id="item-twice",
    ),
    pytest.param(
        {**phq9_response(integer("phq9_5", 1)), "status": "entered-in-error"},
        r"phq9: the QuestionnaireResponse is marked entered-in-error",
        id="entered-in-error",
    ),
]


@pytest.mark.parametrize(("resource", "message"), BAD_RESPONSES)
def test_it_rejects_bad_responses_naming_the_item_and_what_is_allowed(resource, message):
    with pytest.raises(ScoringError, match=message):
        answers_from_questionnaire_response(resource)


@pytest.mark.parametrize("instrument_id", VAS)
def test_it_rejects_visual_analogue_answers_off_the_line_or_of_the_wrong_type(instrument_id):
    inst = get_instrument(instrument_id)
    item = next(i for i in inst.items if inst.response_sets[i.response_set].vas)
    vas = inst.response_sets[item.response_set].vas
    assert vas is not None
    url = f"{BASE}{instrument_id}|{inst.version}"

    def response(answer: dict[str, Any]) -> dict[str, Any]:
        item_json = {"linkId": item.id, "answer": [answer]}
        return {"resourceType": "QuestionnaireResponse", "questionnaire": url, "item": [item_json]}

    good = vas.min + vas.step
    _, answers = answers_from_questionnaire_response(response({"valueDecimal": good}))
    assert answers[item.id] == good
    with pytest.raises(ScoringError, match=rf"{instrument_id}: item {item.id}: .*valueCoding"):
        answers_from_questionnaire_response(response({"valueCoding": {"code": "1"}}))
    with pytest.raises(ScoringError, match=rf"item {item.id}: .*not allowed; expected a number"):
        answers_from_questionnaire_response(response({"valueDecimal": vas.max + vas.step}))
    off_grid = vas.min + vas.step / 2
    with pytest.raises(ScoringError, match=rf"item {item.id}: .*in steps of {vas.step:g}"):
        answers_from_questionnaire_response(response({"valueDecimal": off_grid}))


# -- CLI -------------------------------------------------------------------------


def test_the_cli_prints_a_valid_questionnaire(capsys):
    assert main(["instruments", "export-fhir", "phq9"]) == 0
    printed = json.loads(capsys.readouterr().out)
    check_r4_questionnaire(printed)
    assert printed == questionnaire("phq9")


def test_the_cli_reports_an_unknown_instrument_on_one_line(capsys):
    assert main(["instruments", "export-fhir", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown instrument 'nope'" in err
