"""Real parallel requests against a real threaded server, for exactly-once tests.

Usage in a test (the ``parallel`` fixture lives in ``tests/conftest.py``)::

    client = login(personas.coordinator_a)             # a signed-in test client
    results = parallel.post(client, f"/hours/{rid}/approve", {"x": "1"}, times=10,
                            form_page="/hours/approvals")
    assert results.server_errors == []

Each of the N requests is a separate HTTP request on its own thread, released together by a
barrier, carrying the signed-in client's session cookie and a CSRF token read from
``form_page``. Different people in conflict: call :meth:`Parallel.run` with several
:class:`Shot` s at once.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from tests.helpers import csrf_token_from


@dataclass
class Shot:
    """One request to fire: who (a signed-in test client), where and what."""

    client: FlaskClient
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    form_page: str | None = None
    method: str = "POST"
    times: int = 1


@dataclass
class Result:
    status: int
    location: str
    body: str
    shot: int


@dataclass
class Results:
    results: list[Result]

    @property
    def statuses(self) -> list[int]:
        return [r.status for r in self.results]

    @property
    def server_errors(self) -> list[Result]:
        return [r for r in self.results if r.status >= 500]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Parallel:
    """A threaded werkzeug server on 127.0.0.1 serving ``app``, and a way to fire at it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.opener = urllib.request.build_opener(_NoRedirect)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    @staticmethod
    def _cookie_header(client: FlaskClient) -> str:
        jar = client._cookies  # werkzeug's test client keeps its cookies here
        return "; ".join(f"{c.key}={c.value}" for c in jar.values())

    def _prepare(self, shot: Shot) -> tuple[str, bytes | None, dict[str, str]]:
        data = dict(shot.data)
        if shot.method == "POST":
            page = shot.client.get(shot.form_page or shot.url)
            assert page.status_code == 200, (
                f"form page {shot.form_page or shot.url} answered {page.status_code}"
            )
            data.setdefault("csrf_token", csrf_token_from(page.get_data(as_text=True)))
        headers = {"Cookie": self._cookie_header(shot.client)}
        body = None
        url = self.base + shot.url
        if shot.method == "POST":
            body = urllib.parse.urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif data:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(data, doseq=True)
        return url, body, headers

    def run(self, shots: Sequence[Shot]) -> Results:
        prepared = [(n, self._prepare(shot), shot.method) for n, shot in enumerate(shots)]
        jobs = [(n, p, m) for n, p, m in prepared for _ in range(shots[n].times)]
        barrier = threading.Barrier(len(jobs))
        results: list[Result] = []
        lock = threading.Lock()

        def fire(n: int, prepared: tuple[str, bytes | None, dict[str, str]], method: str) -> None:
            url, body, headers = prepared
            request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - our own 127.0.0.1 server
            barrier.wait(timeout=30)
            try:
                with self.opener.open(request, timeout=60) as response:
                    result = Result(response.status, "", response.read().decode(), n)
            except urllib.error.HTTPError as error:
                result = Result(
                    error.code,
                    error.headers.get("Location", ""),
                    error.read().decode(errors="replace"),
                    n,
                )
            with lock:
                results.append(result)

        threads = [threading.Thread(target=fire, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(results) == len(jobs), "some parallel requests never answered"
        return Results(results)

    def post(
        self,
        client: FlaskClient,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        times: int = 10,
        form_page: str | None = None,
    ) -> Results:
        """The same form posted ``times`` times at once by the same person (a double click)."""
        return self.run([Shot(client, url, data or {}, form_page, "POST", times)])
