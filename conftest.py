"""Test-wide set-up: the web app's data folder lives in a temporary directory."""

import os
import tempfile

os.environ.setdefault("ALLIANCE_DATA_DIR", tempfile.mkdtemp(prefix="alliance-test-"))
os.environ.setdefault("DB_CONN_MAX_AGE", "0")  # no idle connections left over between tests
