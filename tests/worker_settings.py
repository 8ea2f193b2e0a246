"""Settings of the worker processes the fault tests start: Rounds' own, with SQLite's lock
timeout short, so a database held locked shows as a fault in a second rather than twenty."""

from rounds.settings import *  # noqa: F403
from rounds.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["timeout"] = 1
