"""Wording packs: shipped packs fit their instruments; licensed text is installed, not shipped."""

import pytest
import yaml

from alliance.measures import WordingError, get_wording, install_text
from alliance.measures.wording import SHIPPED_DIR


@pytest.fixture(autouse=True)
def site_wording_dir(tmp_path, monkeypatch):
    folder = tmp_path / "wording"
    monkeypatch.setenv("ALLIANCE_WORDING_DIR", str(folder))
    return folder


def phq9_pack() -> dict:
    return yaml.safe_load((SHIPPED_DIR / "phq9.en.yaml").read_text())


def test_the_shipped_phq9_pack_has_every_item_and_option():
    pack = get_wording("phq9", "en")
    assert len(pack.items) == 9
    assert pack.options["frequency"][3] == "Nearly every day"
    assert not pack.placeholder


def test_a_regional_language_falls_back_to_the_base_language():
    assert get_wording("phq9", "en-GB").language == "en"
    assert get_wording("phq9", "fr").language == "en"


def test_install_text_validates_and_takes_precedence(tmp_path, site_wording_dir):
    raw = phq9_pack()
    raw["source"] = "Site licence no. 123 (test)"
    raw["items"]["phq9_1"] = "Installed text for item 1"
    source = tmp_path / "official.yaml"
    source.write_text(yaml.safe_dump(raw, allow_unicode=True))
    target = install_text("phq9", source)
    assert target.parent == site_wording_dir
    assert get_wording("phq9", "en").items["phq9_1"] == "Installed text for item 1"


def test_install_text_refuses_a_pack_lacking_an_item(tmp_path, site_wording_dir):
    raw = phq9_pack()
    del raw["items"]["phq9_9"]
    source = tmp_path / "official.yaml"
    source.write_text(yaml.safe_dump(raw))
    with pytest.raises(WordingError, match=r"items without text \['phq9_9'\]"):
        install_text("phq9", source)
    assert not site_wording_dir.exists() or not any(site_wording_dir.iterdir())


def test_install_text_refuses_option_labels_that_do_not_match_the_values(tmp_path):
    raw = phq9_pack()
    raw["options"]["frequency"][4] = "Always"
    source = tmp_path / "official.yaml"
    source.write_text(yaml.safe_dump(raw))
    with pytest.raises(WordingError, match=r"options\.frequency .*expected exactly \[0, 1, 2, 3\]"):
        install_text("phq9", source)


def test_install_text_refuses_a_pack_for_another_instrument(tmp_path):
    raw = phq9_pack()
    raw["instrument"] = "gad7"
    source = tmp_path / "official.yaml"
    source.write_text(yaml.safe_dump(raw))
    with pytest.raises(WordingError, match=r"pack is for 'gad7', not for 'phq9'"):
        install_text("phq9", source)


def test_install_text_accepts_json(tmp_path):
    import json

    source = tmp_path / "official.json"
    source.write_text(json.dumps(phq9_pack()))
    install_text("phq9", source)
    assert get_wording("phq9").items["phq9_2"].startswith("Feeling down")
