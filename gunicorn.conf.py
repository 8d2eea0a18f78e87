"""gunicorn's settings for Volunteer Hub, read from the working directory by ``gunicorn wsgi:app``.

The report libraries (pandas, matplotlib, scipy's solver, WeasyPrint) are imported lazily so that
``flask`` commands start quickly. A web worker would otherwise pay for them inside its first
report request (seen as 23 s on a loaded machine in the load test, past gunicorn's 30 s timeout
once). They are imported here, in gunicorn's master process, before the workers fork, so every
worker starts with them loaded (shared copy-on-write). ``VOLUNTEER_HUB_PRELOAD_REPORTS=0`` turns
this off (a server that never shows reports)."""

import os

if os.environ.get("VOLUNTEER_HUB_PRELOAD_REPORTS", "1").strip() != "0":
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401
    import pandas  # noqa: F401
    import scipy.optimize
    import scipy.sparse  # noqa: F401
    import weasyprint  # noqa: F401
