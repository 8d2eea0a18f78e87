"""How long password hashing and a full sign-in take on this machine.

Run: .venv/bin/python benchmarks/sign_in.py [--rounds N]
Uses a temporary SQLite database; prints medians and 95th percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import re
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from volunteer_hub import create_app
from volunteer_hub.accounts.passwords import hash_password, verify_password
from volunteer_hub.extensions import db


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    rounds = parser.parse_args().rounds

    hashes, verifies = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        stored = hash_password("a long enough benchmark passphrase")
        hashes.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        verify_password(stored, "a long enough benchmark passphrase")
        verifies.append((time.perf_counter() - start) * 1000)
    print(f"argon2id hash          {_summary(hashes)}")
    print(f"argon2id verify        {_summary(verifies)}")

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.db'}",
                "SECRET_KEY": secrets.token_urlsafe(48),
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            db.create_all()
            app.test_cli_runner().invoke(args=["demo", "seed"])
            db.session.remove()
        sign_ins = []
        for _ in range(rounds):
            client = app.test_client()
            page = client.get("/sign-in").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            assert token
            start = time.perf_counter()
            response = client.post(
                "/sign-in",
                data={
                    "csrf_token": token.group(1),
                    "email": "volunteer@demo.volunteerhub.invalid",
                    "password": "volunteer-hub-demo",
                },
            )
            sign_ins.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 302, response.status_code
        print(f"POST /sign-in (SQLite) {_summary(sign_ins)}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
