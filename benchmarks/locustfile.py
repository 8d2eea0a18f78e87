"""The load test's people, run by benchmarks/cluster.py (headless, bounded, loopback only).

Every request goes to the next of the servers in ``LOAD_SERVERS`` (a client that alternates
between the two app servers); a server refusing connections is skipped for 5 s and the request
sent to the other (nothing reached the refusing one, so a form is never sent twice). Each
simulated person talks from its own loopback address (127.0.0.2, 127.0.0.3, …), as people behind
different addresses would, so the per-address sign-in limit applies to each of them.

Each write the service acknowledged (a redirect after a form) is appended to ``LOAD_ACKS`` with a
marker (a note, a description, a file name, an id) that benchmarks/cluster_check.py looks up in
the database afterwards. The servers run in production mode, whose session cookie is marked
Secure; as loopback has no TLS, the client sends it over plain HTTP anyway.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from datetime import date, timedelta
from typing import Any

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

PASSWORD = "volunteer-hub-demo"  # noqa: S105 - the demo data's published password
DOMAIN = "@demo.volunteerhub.invalid"
SERVERS = os.environ.get("LOAD_SERVERS", "http://127.0.0.1:8101").split(",")
ACKS = os.environ.get("LOAD_ACKS", "")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEARCHES = ["", "garden", "befriending", "driving", "weekend", "library", "food", "youth"]
_lock = threading.Lock()
_addresses = itertools.count(2)
_down: dict[str, float] = {}
_turn = itertools.count()


def acknowledge(kind: str, marker: Any) -> None:
    if not ACKS:
        return
    with _lock, open(ACKS, "a") as handle:
        handle.write(json.dumps({"kind": kind, "marker": marker, "at": time.time()}) + "\n")


class SourceAddress(HTTPAdapter):
    """Connect from one loopback address of 127.0.0.0/8."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    email = ""

    def on_start(self) -> None:
        number = next(_addresses)
        self.client.mount("http://", SourceAddress(f"127.0.{number // 250}.{number % 250 + 2}"))
        if self.email:
            self.sign_in()

    def go(self, method: str, path: str, name: str | None = None, **kwargs: Any) -> Any:
        """One request to the next server up, alternating; the Secure cookie sent over HTTP."""
        kwargs.setdefault("allow_redirects", False)
        response = None
        for _ in range(len(SERVERS)):
            server = SERVERS[next(_turn) % len(SERVERS)]
            if _down.get(server, 0) > time.monotonic() and response is None:
                up = [s for s in SERVERS if _down.get(s, 0) <= time.monotonic()]
                server = up[0] if up else server
            with self.client.request(
                method, server + path, name=name or path, catch_response=True, **kwargs
            ) as response:
                for cookie in self.client.cookies:
                    cookie.secure = False
                if response.status_code in (200, 302, 303):
                    response.success()
                elif response.status_code == 0 and "refused" in str(response.error):
                    # Like a proxy's failover: nothing reached the server; try the next.
                    response.failure("connection refused (sent to the other server)")
                    _down[server] = time.monotonic() + 5
                    continue
                return response
        return response

    def page(self, path: str, name: str | None = None) -> tuple[Any, str]:
        response = self.go("GET", path, name)
        if self.email and "/sign-in" in response.headers.get("location", ""):
            # Signed out (a sign-in that failed during a fault): sign in again, as a person would.
            self.sign_in()
            response = self.go("GET", path, name)
        match = CSRF.search(response.text or "")
        return response, match.group(1) if match else ""

    def sign_in(self) -> None:
        _, token = self.page("/sign-in")
        response = self.go(
            "POST",
            "/sign-in",
            data={"csrf_token": token, "email": self.email, "password": PASSWORD},
        )
        self.signed_in = response.status_code == 302


class Visitor(Person):
    """Anonymous: searches opportunities, reads one; now and then asks for a password reset."""

    weight = 20

    @task(8)
    def search(self) -> None:
        words = random.choice(SEARCHES)
        response = self.go("GET", f"/opportunities?q={words}", name="/opportunities?q=…")
        slugs = re.findall(r'href="/opportunities/([a-z0-9-]+)"', response.text or "")
        slugs = [s for s in slugs if s != "interest"]
        if slugs:
            self.go("GET", f"/opportunities/{random.choice(slugs)}", name="/opportunities/[slug]")

    @task(1)
    def forgotten_password(self) -> None:
        _, token = self.page("/password/forgotten")
        response = self.go(
            "POST",
            "/password/forgotten",
            data={"csrf_token": token, "email": "volunteer" + DOMAIN},
        )
        if response.status_code == 302:
            acknowledge("reset_requested", 1)


class Volunteer(Person):
    """Sam (the demo volunteer): logs hours, claims an expense with a receipt, signs in again."""

    weight = 14
    email = "volunteer" + DOMAIN

    def on_start(self) -> None:
        super().on_start()
        response = self.go("GET", "/my-hours")
        found = re.findall(r'href="/placements/(\d+)/hours"', response.text or "")
        self.placement = found[0] if found else "2"

    @task(6)
    def log_hours(self) -> None:
        path = f"/placements/{self.placement}/hours"
        _, token = self.page(path, "/placements/[id]/hours")
        day = date.today() - timedelta(days=random.randrange(1, 60))
        marker = "load-" + uuid.uuid4().hex[:16]
        response = self.go(
            "POST",
            path,
            name="/placements/[id]/hours",
            data={
                "csrf_token": token,
                "day": [str(day.day), str(day.month), str(day.year)],
                "hours": "0",
                "minutes": "15",
                "note": marker,
                "confirm": "y",
            },
        )
        if response.status_code == 302:
            acknowledge("hours", marker)

    @task(3)
    def claim_expense(self) -> None:
        _, token = self.page("/expenses")
        response = self.go(
            "POST", "/expenses", data={"csrf_token": token, "placement": self.placement}
        )
        if response.status_code != 302 or "/claims/" not in response.headers.get("location", ""):
            return
        claim = response.headers["location"].rsplit("/", 1)[1]
        self.claim_items(claim)

    def claim_items(self, claim: str) -> None:
        path = f"/expenses/claims/{claim}"
        _, token = self.page(path, "/expenses/claims/[id]")
        day = date.today() - timedelta(days=random.randrange(1, 20))
        marker = "load-" + uuid.uuid4().hex[:16]
        self.go(
            "POST",
            path + "/items",
            name="/expenses/claims/[id]/items",
            data={
                "csrf_token": token,
                "item_type": "public_transport",
                "day": [str(day.day), str(day.month), str(day.year)],
                "description": marker,
                "amount": "3.40",
            },
        )
        page, token = self.page(path, "/expenses/claims/[id]")
        upload = re.findall(r'action="(/expenses/claims/\d+/items/\d+/receipts)"', page.text or "")
        if upload:
            self.receipt(upload[0], token, path)
        page, token = self.page(path, "/expenses/claims/[id]")
        response = self.go(
            "POST",
            path + "/submit",
            name="/expenses/claims/[id]/submit",
            data={"csrf_token": token},
        )
        after = self.go("GET", path, name="/expenses/claims/[id]")
        if response.status_code == 302 and "Claim submitted" in (after.text or ""):
            acknowledge("claim_submitted", marker)

    def receipt(self, path: str, token: str, claim_path: str) -> None:
        name = "load-" + uuid.uuid4().hex[:16]
        response = self.go(
            "POST",
            path,
            name="/expenses/claims/[id]/items/[id]/receipts",
            data={"csrf_token": token},
            files={
                "receipt": (
                    name + ".pdf",
                    b"%PDF-1.4\n%" + name.encode() + b"\n",
                    "application/pdf",
                )
            },
        )
        after = self.go("GET", claim_path, name="/expenses/claims/[id]")
        text = after.text or ""
        if response.status_code == 302 and "Receipt attached" in text:
            acknowledge("receipt", name + ".pdf")
        elif "could not be saved" in text or response.status_code >= 400:
            acknowledge("receipt_refused", name + ".pdf")

    @task(1)
    def sign_in_again(self) -> None:
        # A new browser (signing out would end every session of this shared demo account).
        self.client.cookies.clear()
        self.sign_in()


class Coordinator(Person):
    """A coordinator of Greenway Community Garden: approves hours and expense claims."""

    weight = 8
    email = "garden" + DOMAIN

    @task(3)
    def approve_hours(self) -> None:
        page, token = self.page("/hours/approvals")
        shown = re.findall(r'name="record"[^>]*value="(\d+)"', page.text or "")
        if not shown:
            return
        chosen = random.sample(shown, min(3, len(shown)))
        response = self.go(
            "POST",
            "/hours/approvals",
            data={"csrf_token": token, "action": "approve", "record": chosen},
        )
        after = self.go("GET", response.headers.get("location", "/hours/approvals"))
        told = re.search(r"\b(\d+) records? approved\.", after.text or "")
        if response.status_code == 302 and told and int(told.group(1)) == len(chosen):
            for record in chosen:
                acknowledge("hours_approved", record)

    @task(2)
    def approve_claims(self) -> None:
        page = self.go("GET", "/expenses/approvals")
        claims = re.findall(r'href="/expenses/claims/(\d+)"', page.text or "")
        if not claims:
            return
        claim = random.choice(claims)
        path = f"/expenses/claims/{claim}"
        page, token = self.page(path, "/expenses/claims/[id]")
        items = set(re.findall(r'name="decision-(\d+)"', page.text or ""))
        if not items:
            return
        data: dict[str, Any] = {"csrf_token": token}
        data.update({f"decision-{item}": "approved" for item in items})
        response = self.go("POST", path + "/decide", name="/expenses/claims/[id]/decide", data=data)
        after = self.go("GET", path, name="/expenses/claims/[id]")
        if response.status_code == 302 and "govuk-notification-banner--success" in (
            after.text or ""
        ):
            acknowledge("claim_decided", int(claim))


class Partner(Person):
    """The council partner: reads the value report and downloads it."""

    weight = 4
    email = "partner" + DOMAIN

    @task(3)
    def read_report(self) -> None:
        self.go("GET", "/reports/value")

    @task(1)
    def download(self) -> None:
        fmt = random.choice(["csv", "csv", "xlsx", "pdf"])
        self.go("GET", f"/reports/value/download/{fmt}", name=f"/reports/value/download/{fmt}")


class CeilingUser(Person):
    """The ceiling: a bare page (``/healthz``: one tiny query), no waiting, run on its own."""

    wait_time = between(0, 0)

    @task
    def healthz(self) -> None:
        self.go("GET", "/healthz")


class Health(Person):
    """A load balancer's health check during the mix, at a steady pace."""

    weight = 2
    wait_time = between(1, 1)

    @task
    def healthz(self) -> None:
        self.go("GET", "/healthz")
