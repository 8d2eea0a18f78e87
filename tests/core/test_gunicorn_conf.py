"""gunicorn's settings load the report libraries in the master process (before workers fork),
unless turned off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "import runpy, sys; runpy.run_path('gunicorn.conf.py'); "
    "print(sorted(m for m in ('pandas', 'matplotlib.figure', 'scipy.optimize', 'weasyprint') "
    "if m in sys.modules))"
)


def _loaded(preload: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "VOLUNTEER_HUB_PRELOAD_REPORTS"}
    if preload is not None:
        env["VOLUNTEER_HUB_PRELOAD_REPORTS"] = preload
    done = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_report_libraries_are_loaded_before_the_workers_fork() -> None:
    assert _loaded(None) == "['matplotlib.figure', 'pandas', 'scipy.optimize', 'weasyprint']"


def test_preloading_can_be_turned_off() -> None:
    assert _loaded("0") == "[]"
