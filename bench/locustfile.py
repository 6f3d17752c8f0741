"""Load: assistants logging visits on the mobile pages while staff browse lists, at the same time.

Run against a production-configured server (gunicorn behind the proxy, or gunicorn directly with
`X-Forwarded-Proto: https`, which these users send), with a plan of who logs in:

    LOAD_PLAN=plan.json .venv/bin/locust -f bench/locustfile.py --headless \\
        --host http://127.0.0.1:8000 --users 12 --spawn-rate 12 --run-time 60s

plan.json names the people and bounds the work:

    {"assistants": [{"username": "a1", "password": "...", "target": "case:17"}, ...],
     "staff": [{"username": "alice", "password": "..."}],
     "visits_per_assistant": 10, "pages_per_staff": 40, "retry_every": 3,
     "result": "load-result.json"}

Each assistant user takes the next assistant of the plan, opens the new-visit form, sends it, and
every `retry_every`-th visit sends the very same form again (a phone that lost the answer): the
idempotency key in the form must make that a no-op. Each staff user browses the staff lists.
The run stops by itself when every user has done its share (or at --run-time, whichever comes
first) and writes `result`: the keys submitted, requests, failures and requests per second.
tests/production/test_load.py runs a short form of it in CI and checks the database afterwards.
"""

import itertools
import json
import os
import re
import time

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STAFF_PAGES = [
    "/admin/cases/case/",
    "/admin/cases/visit/",
    "/admin/assistants/assistant/",
    "/admin/assistants/shift/",
    "/rota/",
    "/rota/week/",
    "/admin/partners/partner/",
]

assistants = itertools.cycle(PLAN["assistants"])
staff_members = itertools.cycle(PLAN["staff"])
submitted: list[str] = []  # every idempotency key sent, retries included
users_done = 0


class BehindTheProxy(HttpUser):
    """Talks plain HTTP to gunicorn as the TLS proxy would: `X-Forwarded-Proto: https`, the
    app's Secure cookies sent back, and an Origin on POSTs for the CSRF check."""

    abstract = True

    def send(self, method: str, path: str, **kwargs):
        for cookie in self.client.cookies:
            cookie.secure = False
        headers = kwargs.pop("headers", {}) | {"X-Forwarded-Proto": "https"}
        if method == "POST":
            headers["Origin"] = "https" + self.host.removeprefix("http")
        return self.client.request(method, path, headers=headers, allow_redirects=False, **kwargs)

    def log_in(self, path: str, person: dict) -> None:
        page = self.send("GET", path, name=f"{path} (form)")
        self.send(
            "POST",
            path,
            data={
                "username": person["username"],
                "password": person["password"],
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            },
        )

    def done(self) -> None:
        """This user did its share; the last one to finish stops the run."""
        global users_done
        users_done += 1
        if users_done >= self.environment.parsed_options.num_users:
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()


class Assistant(BehindTheProxy):
    """An assistant on a phone: log in on /m/, then log visits one after another."""

    weight = 3
    wait_time = between(0.05, 0.2)

    def on_start(self):
        self.person = next(assistants)
        self.visits = 0
        self.log_in("/m/login/", self.person)

    @task
    def log_a_visit(self):
        if self.visits >= PLAN["visits_per_assistant"]:
            self.done()
        form = self.send(
            "GET", f"/m/visits/new/?target={self.person['target']}", name="/m/visits/new/"
        )
        key = KEY.search(form.text).group(1)
        data = {
            "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            "idempotency_key": key,
            "target": self.person["target"],
            "kind": "consultation",
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "30",
            "people_present": "1",
            "notes": f"load test visit {key}",
        }
        self.visits += 1
        sends = 2 if self.visits % PLAN["retry_every"] == 0 else 1
        for _ in range(sends):
            # A 4xx or 5xx answer counts as a failure in locust's statistics by itself.
            self.send("POST", "/m/visits/new/", data=data, name="/m/visits/new/ (send)")
            submitted.append(key)


class Staff(BehindTheProxy):
    """District staff browsing the lists in the admin and on the rota pages."""

    weight = 1
    wait_time = between(0.1, 0.3)

    def on_start(self):
        self.person = next(staff_members)
        self.pages = 0
        self.log_in("/admin/login/", self.person)

    @task
    def browse_a_list(self):
        if self.pages >= PLAN["pages_per_staff"]:
            self.done()
        path = STAFF_PAGES[self.pages % len(STAFF_PAGES)]
        self.pages += 1
        self.send("GET", path)


@events.quitting.add_listener
def write_result(environment, **kwargs):
    """Everything the checker needs: what was sent, and how the server coped."""
    total = environment.stats.total
    elapsed = max((total.last_request_timestamp or time.time()) - total.start_time, 1e-6)
    # An exception inside a task (a page without the form it should have) is an error too.
    task_errors = sum(error["count"] for error in environment.runner.exceptions.values())
    failures = total.num_failures + task_errors
    result = {
        "submitted_keys": submitted,
        "requests": total.num_requests,
        "failures": failures,
        "task_errors": task_errors,
        "error_rate": failures / total.num_requests if total.num_requests else 0.0,
        "requests_per_second": total.num_requests / elapsed,
        "median_ms": total.median_response_time,
        "p95_ms": total.get_response_time_percentile(0.95),
        "by_page": {
            name: {"requests": entry.num_requests, "failures": entry.num_failures,
                   "median_ms": entry.median_response_time}
            for (name, _method), entry in environment.stats.entries.items()
        },
    }  # fmt: skip
    with open(PLAN["result"], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    print(
        f"load: {result['requests']} requests in {elapsed:.1f} s = "
        f"{result['requests_per_second']:.1f} req/s, {result['failures']} failures "
        f"({result['error_rate']:.2%}), median {result['median_ms']} ms, "
        f"p95 {result['p95_ms']} ms; {len(set(submitted))} visits sent "
        f"({len(submitted)} sends with retries)"
    )
