"""Django started as the partner-API benchmarks need it; import it before anything of Django's.

    import api_env  # noqa: F401  (bench/ is the script's own folder, so this import works)

As in production: no DEBUG query log, the throttle's counters in Redis (db 10 of the local
server unless CACHE_URL says otherwise), no log line per request on the terminal.
"""

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/10")
os.environ.setdefault("LOG_REQUESTS", "false")

django.setup()


def rounds_arguments(description: str, *, runs: int, batch: int, quick: tuple[int, int]):
    """The command line of an API benchmark: --runs, --batch, and --quick for a smoke run."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs, help="interleaved rounds")
    parser.add_argument("--batch", type=int, default=batch, help="requests per variant per round")
    parser.add_argument(
        "--quick", action="store_true", help=f"{quick[0]} rounds of {quick[1]} (a smoke run)"
    )
    args = parser.parse_args()
    if args.quick:
        args.runs, args.batch = quick
    return args


def key_headers(raw_key: str) -> dict[str, str]:
    """The headers of a partner's request: the key, asking for JSON in English."""
    return {
        "Accept": "application/json",
        "Accept-Language": "en",
        "Authorization": f"Bearer {raw_key}",
    }


@contextmanager
def demo_partner_key(name: str):
    """(the demo partner, a new API key of its), the key deleted after.

    The throttle still counts every request in Redis, but never refuses one; a window of one
    second keeps its history as short as a client below the production rate sees it, and its
    counters expire a second after their window.
    """
    from django.conf import settings

    from demo.seeding.data import DEMO_PARTNER_SHORT_NAME
    from partners.models import ApiKey, Partner
    from partners.services import create_api_key

    settings.PARTNER_API_RATE = "1000000/s"
    partner = Partner.objects.filter(short_name=DEMO_PARTNER_SHORT_NAME).first()
    if partner is None:
        sys.exit("no demo partner: seed the database with seed_demo first")
    api_key, raw_key = create_api_key(partner=partner, name=f"bench: {name} (deleted after)")
    try:
        yield partner, raw_key
    finally:
        ApiKey.objects.filter(pk=api_key.pk).delete()
