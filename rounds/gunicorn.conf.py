"""gunicorn settings for Rounds: `gunicorn -c rounds/gunicorn.conf.py rounds.wsgi`.

Rounds' pages are CPU-bound in Python (templates, the rules checker), so the number of processes,
not threads, sets how many requests run at once: two per core plus one keeps every core busy
while one process waits on the database. A few threads per process let a slow client or a
long query not hold a whole process. Each process keeps its database connection open between
requests (CONN_MAX_AGE in settings). Every figure can be changed from the environment.

  ROUNDS_WEB_BIND     address to listen on (default 127.0.0.1:8000; behind a proxy keep it local)
  ROUNDS_WEB_WORKERS  processes (default 2 x cores + 1)
  ROUNDS_WEB_THREADS  threads per process (default 2)
  ROUNDS_WEB_TIMEOUT  seconds before a stuck request's process is restarted (default 30)
  ROUNDS_GC_YOUNG     allocations between collections of the young generation (default 20000)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any

bind = os.environ.get("ROUNDS_WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ROUNDS_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("ROUNDS_WEB_THREADS", 2))
worker_class = "gthread"
timeout = int(os.environ.get("ROUNDS_WEB_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (jittered so they do not all restart at once),
# which bounds the memory a slow leak could take.
max_requests = 2000
max_requests_jitter = 200
# Load Django once, before forking: processes start faster and share the loaded code's memory.
preload_app = True
# gunicorn's control socket sits at one path per user: a second server on the same machine (a
# load run beside a running site) would take it over. Rounds needs none; signals still work.
control_socket_disable = True


def when_ready(server: Any) -> None:
    """The app is loaded (preload_app), the workers not yet forked: move every object loaded so
    far out of the garbage collector's sight. A full collection in a worker then looks at what
    the worker made, not the ~270,000 objects of Django and Rounds' modules (about 150 ms of CPU
    a time on the 2-core machine, the slowest 5 % of grid edits), and forked workers keep
    sharing those pages with the master instead of copying them when the collector touches
    them.

    And collect the young generation every GC_YOUNG allocations instead of Python's 700: a
    request makes tens of thousands of objects, many in reference cycles (a trainee and its
    prefetched training events point at each other), and with 700 a collection ran ~15 times
    per grid edit, promoting the request's objects while still in use; once the request ended
    they were garbage only a full collection frees. Collected young, they die young: on the
    demo's Internal Medicine year, 300 edits ran about one full collection instead of one
    every few edits, and the edits' CPU p95 fell from 188 to 76 ms (median 65 -> 50 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, 10, 10)


GC_YOUNG = int(os.environ.get("ROUNDS_GC_YOUNG", 20_000))
