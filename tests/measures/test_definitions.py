"""Loading instrument definitions: malformed files fail naming the file, field and expectation."""

from pathlib import Path

import pytest
import yaml

from alliance.measures import DefinitionError, UnknownInstrumentError, get_instrument
from alliance.measures.registry import DEFINITIONS_DIR, load_definition


def phq9_raw() -> dict:
    return yaml.safe_load((DEFINITIONS_DIR / "phq9.yaml").read_text())


def write(tmp_path: Path, raw: dict, name: str = "phq9") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_every_shipped_definition_loads():
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        assert load_definition(path).id == path.stem


def test_an_unknown_instrument_names_the_known_ones():
    with pytest.raises(UnknownInstrumentError, match=r"unknown instrument 'phq-99'.*phq9"):
        get_instrument("phq-99")


def test_a_missing_field_names_the_file_and_the_field(tmp_path):
    raw = phq9_raw()
    del raw["licence"]
    with pytest.raises(DefinitionError, match=r"phq9\.yaml: licence: Field required"):
        load_definition(write(tmp_path, raw))


def test_a_bad_licence_names_the_allowed_values(tmp_path):
    raw = phq9_raw()
    raw["licence"] = "free"
    with pytest.raises(DefinitionError, match=r"licence: .*'public-domain'.*'licensed'"):
        load_definition(write(tmp_path, raw))


def test_a_scale_with_an_unknown_item_is_refused(tmp_path):
    raw = phq9_raw()
    raw["scales"][0]["items"].append("phq9_99")
    with pytest.raises(DefinitionError, match=r"scale total: unknown items \['phq9_99'\]"):
        load_definition(write(tmp_path, raw))


def test_bands_must_ascend(tmp_path):
    raw = phq9_raw()
    raw["scales"][0]["bands"][1]["from"] = 15
    with pytest.raises(DefinitionError, match=r"band 'from' values must strictly ascend"):
        load_definition(write(tmp_path, raw))


def test_a_lookup_table_must_cover_every_raw_score(tmp_path):
    raw = phq9_raw()
    raw["scales"][0]["transform"] = {"lookup": {r: r for r in range(27)}, "source": "test"}
    with pytest.raises(DefinitionError, match=r"lookup table lacks raw scores \[27\]"):
        load_definition(write(tmp_path, raw))


def test_a_flag_on_an_unknown_item_is_refused(tmp_path):
    raw = phq9_raw()
    raw["flags"][0]["item"] = "phq9_10"
    with pytest.raises(DefinitionError, match=r"flag risk_self_harm: 'phq9_10' is not one of"):
        load_definition(write(tmp_path, raw))


def test_the_id_must_match_the_file_name(tmp_path):
    with pytest.raises(DefinitionError, match=r"expected the file name 'other'"):
        load_definition(write(tmp_path, phq9_raw(), name="other"))


def test_invalid_yaml_is_reported_with_the_file_name(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"broken\.yaml: not valid YAML"):
        load_definition(path)


def test_change_parameters_need_a_threshold_or_sd_and_reliability(tmp_path):
    raw = phq9_raw()
    raw["scales"][0]["change"] = {"direction": "lower-is-better", "sd": 5.0, "source": "x"}
    with pytest.raises(DefinitionError, match=r"'reliable_change' or both 'sd' and 'reliability'"):
        load_definition(write(tmp_path, raw))


def test_the_reliable_change_threshold_follows_jacobson_and_truax(tmp_path):
    # Jacobson & Truax (1991): threshold = 1.96 * sqrt(2) * SD * sqrt(1 - r).
    # SD 7.5, r .84: 1.96 * 1.41421 * 7.5 * 0.4 = 8.3155
    raw = phq9_raw()
    raw["scales"][0]["change"] = {
        "direction": "lower-is-better",
        "sd": 7.5,
        "reliability": 0.84,
        "source": "x",
    }
    inst = load_definition(write(tmp_path, raw))
    assert inst.scales[0].change.threshold == pytest.approx(8.3155, abs=1e-4)
