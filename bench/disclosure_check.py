"""What the privacy check costs, and that no page pays for it: `python -m bench disclosure_check`.

Builds the demo (BENCH_SCALE, default 0.5) into a fresh SQLite file, then for the inclusion
overview and advancement pages (the trainee table, the largest) and a survey's results prints
the CPU time of the first page view after the counts changed (conservative figures, the check
queued; none when the table is small enough to be checked in the view), the CPU time of the
check itself (the worker's job) and of the page view after it (checked figures). CPU time
(time.process_time) is what a busy machine cannot distort.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.pages import _setup_django


def _cpu_ms(work: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    started = time.process_time()
    result = work(*args)
    return (time.process_time() - started) * 1000, result


def main() -> None:
    scale = float(os.environ.get("BENCH_SCALE", "0.5"))
    with tempfile.TemporaryDirectory() as tmp:
        _setup_django(Path(tmp) / "bench.sqlite3")
        from django.conf import settings
        from django.contrib.auth.models import User
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client

        from rounds.core.demo import demo_build
        from rounds.core.management.commands.load_demo import area_demo_modules
        from rounds.jobs.models import Job
        from rounds.jobs.services import job_run
        from rounds.jobs.tasks import handlers_load
        from rounds.lib.disclosure import CHECK_KIND
        from rounds.lib.today import today
        from rounds.wellness.models import SurveyPeriod

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        call_command("migrate", verbosity=0)
        demo_build(seed=2026, scale=scale)
        for area in area_demo_modules():  # surveys and their answers, as load_demo adds them
            area.demo_extend(seed=2026)
        cache.clear()
        handlers_load()
        client = Client()
        client.force_login(User.objects.get(username="gme"))
        closed = SurveyPeriod.objects.filter(ends_on__lt=today()).order_by("-survey__program")
        survey = closed.values_list("survey_id", flat=True).first()
        pages = [
            ("inclusion overview", "/inclusion/"),
            ("advancement", "/inclusion/advancement/"),
        ]
        if survey is not None:
            pages.append(("survey results", f"/wellness/surveys/{survey}/"))
        for url in ("/staff/", "/wellness/"):  # imports and templates loaded before measuring
            client.get(url)
        threshold = settings.ROUNDS_DISCLOSURE_INLINE_ATOMS
        print(f"demo scale {scale}; tables above {threshold} atoms are checked by a worker")
        print(f"{'page':<20} {'first view ms':>14} {'checks queued':>14} {'check ms':>10} "
              f"{'view after ms':>14}")  # fmt: skip
        for name, url in pages:
            before = set(Job.objects.filter(kind=CHECK_KIND).values_list("pk", flat=True))
            first_ms, response = _cpu_ms(client.get, url)
            assert response.status_code == 200, (url, response.status_code)
            queued = list(Job.objects.filter(kind=CHECK_KIND).exclude(pk__in=before))
            check_ms = 0.0
            for job in queued:
                spent, _ = _cpu_ms(job_run, job.pk)
                check_ms += spent
            after_ms, _ = _cpu_ms(client.get, url)
            print(f"{name:<20} {first_ms:>14.0f} {len(queued):>14} {check_ms:>10.0f} "
                  f"{after_ms:>14.0f}")  # fmt: skip
