"""TalentOffice settings, read from the environment, one module per topic.

Nothing set gives the embedded default that `make run` uses: a SQLite file, Celery on a
filesystem transport (no server), console email and DEBUG on. Production is switched on by
`DJANGO_ENV=production` and then refuses to start without the values it cannot guess.

Each topic's module names the environment variables it reads in its docstring; README.md's
Configuration table gives their defaults and meaning in full. DJANGO_SETTINGS_MODULE stays
`talentoffice.settings`: this package gathers the topics. A topic that reads another's value
imports it from that module (every topic reads `base`; Celery's beat schedule reads the health
check's heartbeat and the dashboard's snapshot age).
"""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .cases import *  # noqa: F403
from .database import *  # noqa: F403
from .files import *  # noqa: F403
from .health import *  # noqa: F403
from .logs import *  # noqa: F403
from .mail import *  # noqa: F403
from .mobile import *  # noqa: F403
from .personal_data import *  # noqa: F403
from .queues import *  # noqa: F403
from .security import *  # noqa: F403
from .steering import *  # noqa: F403
