"""Phone pages for assistants (/m/).

Environment:
  CHECK_IN_FAR_METRES            a check-in farther than this from the point is flagged
  MOBILE_PHOTO_MAX_UPLOAD_BYTES  largest photo accepted from a phone's camera
  MOBILE_PHOTO_MAX_SIDE          longest side of a kept photo, in pixels
"""

from talentoffice.env import env_int

# A far check-in is kept, but staff see the flag.
CHECK_IN_FAR_METRES = env_int("CHECK_IN_FAR_METRES", 500)
# Photos are shrunk before being kept: enough to read a document, small on a weak signal.
MOBILE_PHOTO_MAX_UPLOAD_BYTES = env_int("MOBILE_PHOTO_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
MOBILE_PHOTO_MAX_SIDE = env_int("MOBILE_PHOTO_MAX_SIDE", 1600)
