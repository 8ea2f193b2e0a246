"""A real worker process for the fault tests, with their job kinds registered:
`python -m tests.jobs_worker [db_worker options]`, DATABASE_URL naming the test database."""

from __future__ import annotations

import os
import sys

import django

if __name__ == "__main__":
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.worker_settings"
    django.setup()
    from django.core.management import call_command

    import tests.job_kinds  # noqa: F401  (registers the test job kinds)

    call_command("db_worker", *sys.argv[1:])
