"""Typed environment variables: good values are read, bad ones fail loudly naming the
variable and what is allowed."""

import pytest

from alliance.practice.env import SettingError, env_bool, env_float, env_int, env_list


def test_a_percentile_is_read_as_a_number(monkeypatch):
    monkeypatch.setenv("ALLIANCE_ETR_PERCENTILE", "75")
    assert env_float("ALLIANCE_ETR_PERCENTILE", 90.0, above=50, below=100) == 75.0
    monkeypatch.setenv("ALLIANCE_ETR_PERCENTILE", "")
    assert env_float("ALLIANCE_ETR_PERCENTILE", 90.0, above=50, below=100) == 90.0


@pytest.mark.parametrize(
    ("value", "message"),
    [("ninety", "expected a number"), ("100", "above 50, below 100"), ("50", "above 50")],
)
def test_a_bad_percentile_is_refused_naming_the_variable(monkeypatch, value, message):
    monkeypatch.setenv("ALLIANCE_ETR_PERCENTILE", value)
    with pytest.raises(SettingError, match="ALLIANCE_ETR_PERCENTILE") as error:
        env_float("ALLIANCE_ETR_PERCENTILE", 90.0, above=50, below=100)
    assert message in str(error.value)


def test_whole_numbers_flags_and_lists_are_checked(monkeypatch):
    monkeypatch.setenv("X_DAYS", "0")
    with pytest.raises(SettingError, match=r"X_DAYS='0': expected a whole number >= 1"):
        env_int("X_DAYS", 7, minimum=1)
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(SettingError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_HOSTS", " a.example , ,b.example")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
