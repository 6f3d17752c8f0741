"""Health check (talentoffice.health).

Environment:
  HEARTBEAT_SECONDS              how often beat queues the heartbeat a worker records
  HEALTH_STALE_SECONDS           beat or worker unseen this long answers 503
  HEALTH_BROKER_TIMEOUT_SECONDS  how long the check waits for the broker
  CHANNEL_FAILING_AFTER          a channel whose last this many tries all failed shows as failing
  HEALTH_TOKEN                   a monitor presenting it as `Authorization: Bearer <token>` sees
                                 every check; without it only district staff do (empty: none)
"""

from talentoffice.env import env_int, env_str

HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60)
# Two heartbeat intervals: one late heartbeat is forgiven, a dead worker shows at the second.
HEALTH_STALE_SECONDS = env_int("HEALTH_STALE_SECONDS", 2 * HEARTBEAT_SECONDS)
HEALTH_BROKER_TIMEOUT_SECONDS = env_int("HEALTH_BROKER_TIMEOUT_SECONDS", 2)
HEALTH_TOKEN = env_str("HEALTH_TOKEN")
CHANNEL_FAILING_AFTER = env_int("CHANNEL_FAILING_AFTER", 5)
