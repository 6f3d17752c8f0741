"""Steering: dashboard and reports.

Environment:
  STEERING_SNAPSHOT_SECONDS  the dashboard shows a snapshot younger than this
"""

from talentoffice.env import env_int

STEERING_SNAPSHOT_SECONDS = env_int("STEERING_SNAPSHOT_SECONDS", 15 * 60)
