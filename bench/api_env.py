"""Django started as the partner-API benchmarks need it; import it before anything of Django's.

    import api_env  # noqa: F401  (bench/ is the script's own folder, so this import works)

As in production: no DEBUG query log, the throttle's counters in Redis (db 10 of the local
server unless CACHE_URL says otherwise), no log line per request on the terminal.
"""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/10")
os.environ.setdefault("LOG_REQUESTS", "false")

django.setup()
