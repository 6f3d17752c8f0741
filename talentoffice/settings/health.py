"""Health check (talentoffice.health).

Environment:
  HEARTBEAT_SECONDS              how often beat queues the heartbeat a worker records
  HEALTH_STALE_SECONDS           beat or worker unseen this long answers 503
  HEALTH_BROKER_TIMEOUT_SECONDS  how long the check waits for the broker
"""

from talentoffice.env import env_int

HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 60)
# Three missed heartbeats by default.
HEALTH_STALE_SECONDS = env_int("HEALTH_STALE_SECONDS", 3 * HEARTBEAT_SECONDS + 30)
HEALTH_BROKER_TIMEOUT_SECONDS = env_int("HEALTH_BROKER_TIMEOUT_SECONDS", 2)
