"""Meta-tests: everything registered is tested, documented and worded."""

from pathlib import Path

import pytest

from alliance.measures import get_wording, instrument_ids
from alliance.measures.wording import shipped_packs

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = [
    "phq9", "gad7", "who5", "swls", "flourishing", "k10", "core10", "wemwbs", "swemwbs",
    "wai-sr", "wai-sr-t", "tasc-p", "srs", "ors", "gas",
]  # fmt: skip


def scoring_test_path(instrument_id: str) -> Path:
    return (
        ROOT / "tests" / "measures" / "instruments" / f"test_{instrument_id.replace('-', '_')}.py"
    )


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_every_registered_instrument_has_a_scoring_test(instrument_id):
    path = scoring_test_path(instrument_id)
    assert path.exists(), f"{instrument_id} has no scoring test at {path.relative_to(ROOT)}"
    text = path.read_text()
    assert f'"{instrument_id}"' in text and "def test_" in text
    assert "Source" in text or "source" in text, f"{path.name} must name its sources"


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_every_registered_instrument_is_documented_in_the_readme(instrument_id):
    readme = (ROOT / "README.md").read_text()
    assert f"`{instrument_id}`" in readme, f"README does not document {instrument_id}"


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_every_registered_instrument_has_an_english_wording_pack(instrument_id):
    pack = get_wording(instrument_id, "en")
    assert pack.language == "en"
    assert pack.source


@pytest.mark.parametrize("instrument_id", instrument_ids())
def test_licensed_wording_ships_only_as_placeholder(instrument_id):
    from alliance.measures import get_instrument

    inst = get_instrument(instrument_id)
    for pack in shipped_packs(instrument_id):
        if inst.licence == "licensed":
            assert pack.placeholder, f"{instrument_id}: licensed wording must ship as placeholder"
        if pack.placeholder:
            assert "placeholder" in pack.source.lower()


def test_the_required_instruments_are_registered():
    missing = [i for i in REQUIRED if i not in instrument_ids()]
    assert not missing, f"required instruments not registered: {missing}"
