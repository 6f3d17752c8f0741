"""The partner REST API under /api/v1/."""
