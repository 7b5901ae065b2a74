"""Loaded by pytest (-p pmf.testenv) before Django starts: a key for the test run only.

Settings refuse to start without SECRET_KEY when DEBUG is off, which is how tests run.
"""

import os

os.environ.setdefault("SECRET_KEY", "insecure-key-for-the-test-suite-only")
