"""Journal entries are stored encrypted (Fernet) with a key from the settings; bad keys stop
the start; keys can be rotated."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection
from django.urls import reverse

from alliance.practice.env import SettingError
from alliance.practice.journal import crypto
from alliance.practice.journal.keys import KEY_ENV, OLD_KEYS_ENV, journal_keys
from alliance.practice.journal.models import JournalEntry
from alliance.practice.journal.rotation import rotate_all
from tests.practice.conftest import login
from tests.practice.test_journal_access import make_entry

ROOT = Path(__file__).resolve().parents[2]
PLAIN = "Something about her voice reminded me of my sister"


def raw_ciphertext(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ciphertext FROM {JournalEntry._meta.db_table} WHERE id = %s", [pk])
        (value,) = cursor.fetchone()
    return value


def test_the_database_holds_no_plain_text_and_the_key_gives_it_back(client, owner, client_record):
    login(client, owner)
    answers = {"felt": PLAIN, "for_supervision": "Ask about my reaction to silences"}
    response = client.post(reverse("journal:new", args=[client_record.pk]), answers)
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    raw = raw_ciphertext(entry.pk)
    for text in (*answers.values(), "sister", "silences", "felt"):
        assert text not in raw
    assert crypto.decrypt(raw) == answers
    plain = Fernet(settings.JOURNAL_KEY).decrypt(raw.encode()).decode()  # independent of crypto.py
    assert PLAIN in plain


def test_the_same_text_encrypts_differently_each_time(owner, client_record):
    first = make_entry(owner, client_record, felt=PLAIN)
    second = make_entry(owner, client_record, felt=PLAIN)
    assert raw_ciphertext(first.pk) != raw_ciphertext(second.pk)


def test_a_wrong_key_cannot_read_an_entry(owner, client_record, settings):
    entry = make_entry(owner, client_record, felt=PLAIN)
    settings.JOURNAL_KEY = Fernet.generate_key().decode()
    with pytest.raises(crypto.JournalKeyError, match="ALLIANCE_JOURNAL_OLD_KEYS"):
        JournalEntry.objects.get(pk=entry.pk).answers  # noqa: B018


def test_an_old_key_still_reads_and_rotation_moves_every_entry_to_the_new_key(
    owner, client_record, settings
):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.JOURNAL_KEY, settings.JOURNAL_OLD_KEYS = old_key, ()
    entries = [make_entry(owner, client_record, felt=f"{PLAIN} {n}") for n in range(3)]
    updated = [JournalEntry.objects.get(pk=e.pk).updated for e in entries]
    settings.JOURNAL_KEY, settings.JOURNAL_OLD_KEYS = new_key, (old_key,)
    assert JournalEntry.objects.get(pk=entries[1].pk).answers == {"felt": f"{PLAIN} 1"}
    assert rotate_all() == 3
    settings.JOURNAL_OLD_KEYS = ()  # the old key is dropped
    for n, entry in enumerate(entries):
        stored = JournalEntry.objects.get(pk=entry.pk)
        assert stored.answers == {"felt": f"{PLAIN} {n}"}
        assert stored.updated == updated[n]  # re-encryption is not an edit
        Fernet(new_key).decrypt(raw_ciphertext(entry.pk).encode())


def test_rotation_changes_nothing_when_an_entry_has_an_unknown_key(owner, client_record, settings):
    make_entry(owner, client_record, felt="first")
    settings.JOURNAL_KEY = Fernet.generate_key().decode()
    second = make_entry(owner, client_record, felt="second")
    before = raw_ciphertext(second.pk)
    with pytest.raises(crypto.JournalKeyError):
        rotate_all()
    assert raw_ciphertext(second.pk) == before


def test_the_rotate_key_command_re_encrypts_and_reports(capsys, owner, client_record, settings):
    from alliance.practice.journal import cli

    old_key = settings.JOURNAL_KEY
    entry = make_entry(owner, client_record, felt=PLAIN)
    settings.JOURNAL_KEY, settings.JOURNAL_OLD_KEYS = Fernet.generate_key().decode(), (old_key,)
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["journal", "rotate-key"])
    args.func(args)
    assert "1 journal entries re-encrypted" in capsys.readouterr().out
    Fernet(settings.JOURNAL_KEY).decrypt(raw_ciphertext(entry.pk).encode())


# Keys from the environment and the data folder ------------------------------------------


@pytest.fixture
def no_key_env(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(OLD_KEYS_ENV, raising=False)
    return monkeypatch


def test_a_key_from_the_environment_is_used(no_key_env, tmp_path):
    key = Fernet.generate_key().decode()
    no_key_env.setenv(KEY_ENV, key)
    assert journal_keys(tmp_path, generate=True) == (key, ())
    assert not (tmp_path / "journal.key").exists()


@pytest.mark.parametrize("value", ["not-a-key", "x" * 44, Fernet.generate_key().decode()[:-2]])
def test_a_malformed_key_stops_the_start_naming_the_variable(no_key_env, tmp_path, value):
    no_key_env.setenv(KEY_ENV, value)
    with pytest.raises(SettingError, match=KEY_ENV) as error:
        journal_keys(tmp_path, generate=True)
    assert value not in str(error.value)  # a key is never echoed


def test_a_malformed_old_key_stops_the_start_naming_which_one(no_key_env, tmp_path):
    no_key_env.setenv(KEY_ENV, Fernet.generate_key().decode())
    no_key_env.setenv(OLD_KEYS_ENV, f"{Fernet.generate_key().decode()}, oops")
    with pytest.raises(SettingError, match=rf"{OLD_KEYS_ENV} \(key 2\)"):
        journal_keys(tmp_path, generate=True)


def test_old_keys_are_read_in_order(no_key_env, tmp_path):
    keys = [Fernet.generate_key().decode() for _ in range(3)]
    no_key_env.setenv(KEY_ENV, keys[0])
    no_key_env.setenv(OLD_KEYS_ENV, f"{keys[1]} , {keys[2]}")
    assert journal_keys(tmp_path, generate=True) == (keys[0], (keys[1], keys[2]))


def test_without_a_key_one_is_generated_in_the_data_folder_readable_only_by_the_owner(
    no_key_env, tmp_path
):
    key, old = journal_keys(tmp_path / "data", generate=True)
    path = tmp_path / "data" / "journal.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(key)  # a valid key
    assert old == ()
    assert journal_keys(tmp_path / "data", generate=True)[0] == key  # the same on restart
    assert journal_keys(tmp_path / "data", generate=False)[0] == key
    assert [p.name for p in path.parent.iterdir()] == ["journal.key"]  # nothing left aside


def test_without_a_key_and_without_generating_the_start_stops(no_key_env, tmp_path):
    with pytest.raises(SettingError, match="ALLIANCE_JOURNAL_KEY is not set"):
        journal_keys(tmp_path, generate=False)


def test_a_damaged_key_file_stops_the_start_naming_the_file(no_key_env, tmp_path):
    (tmp_path / "journal.key").write_text("damaged\n")
    with pytest.raises(SettingError, match=r"journal\.key"):
        journal_keys(tmp_path, generate=True)


def test_the_settings_refuse_to_start_with_a_malformed_journal_key(tmp_path):
    env = os.environ | {
        "ALLIANCE_DATA_DIR": str(tmp_path),
        KEY_ENV: "too-short",
        "DJANGO_SETTINGS_MODULE": "alliance.practice.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import alliance.practice.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SettingError" in result.stderr and KEY_ENV in result.stderr
