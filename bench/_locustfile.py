"""The load profile for `python -m bench load` (run by locust, never imported by Rounds).

A mix of the people who use Rounds at once: applicants browsing the public finder, residents
looking at their schedule and logging hours, coordinators working in their program's grids. Each
waits 1-3 s between pages, as a person reading would. The ids of the coordinator's pages come from
the environment (bench/load.py looks them up in the demo database).
"""

from __future__ import annotations

import os
import re

from locust import HttpUser, between, task

PASSWORD = "rounds-demo-2026"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(user: HttpUser, username: str) -> None:
    """Sign in through the real form (allauth's field is `login`); a sign-in that lands back on
    the form is a failure, or every page after it would be a cheap redirect counted as served."""
    page = user.client.get("/accounts/login/", name="sign in (form)")
    token = CSRF.search(page.text)
    with user.client.post(
        "/accounts/login/",
        data={
            "login": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        },
        headers={"Referer": f"{user.host}/accounts/login/"},
        name="sign in",
        catch_response=True,
    ) as answer:
        if "/accounts/" in answer.url:
            answer.failure(f"{username} was not signed in (at {answer.url})")


def signed_in_page(user: HttpUser, path: str, name: str | None = None) -> None:
    """A page of a signed-in person: sent to a sign-in or two-factor page counts as a failure."""
    with user.client.get(path, name=name or path, catch_response=True) as answer:
        if "/accounts/" in answer.url:
            answer.failure(f"sent to {answer.url}")


class Applicant(HttpUser):
    weight = 6
    wait_time = between(1, 3)

    @task(3)
    def home(self) -> None:
        self.client.get("/")

    @task(3)
    def programs(self) -> None:
        self.client.get("/programs/")

    @task(2)
    def program(self) -> None:
        self.client.get(os.environ["LOAD_PROGRAM_URL"], name="/programs/[slug]/")

    @task(1)
    def sites(self) -> None:
        self.client.get("/sites/")


class Resident(HttpUser):
    weight = 3
    wait_time = between(1, 3)

    def on_start(self) -> None:
        sign_in(self, "resident")

    @task(3)
    def my_schedule(self) -> None:
        signed_in_page(self, "/schedules/me/")

    @task(2)
    def my_calls(self) -> None:
        signed_in_page(self, "/schedules/calls/me/")

    @task(3)
    def hours(self) -> None:
        signed_in_page(self, "/hours/")

    # Not `start`: that name is locust's own (User.start spawns the user).
    @task(1)
    def landing(self) -> None:
        signed_in_page(self, "/staff/start/", "/staff/start/ (resident)")


class Coordinator(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        sign_in(self, "coord.im")

    @task(2)
    def program_year(self) -> None:
        signed_in_page(
            self, os.environ["LOAD_PROGRAM_YEAR_URL"], "/schedules/programs/[pk]/[year]/"
        )

    @task(2)
    def rotation_grid(self) -> None:
        signed_in_page(self, os.environ["LOAD_GRID_URL"], "/schedules/versions/[pk]/")

    @task(1)
    def call_month(self) -> None:
        signed_in_page(self, os.environ["LOAD_CALL_URL"], "/schedules/calls/[pk]/")

    @task(1)
    def landing(self) -> None:
        signed_in_page(self, "/staff/start/", "/staff/start/ (coordinator)")
