"""Cases, the public QR form and the staff admin.

Environment:
  CASE_NUMBER_PREFIX            the prefix of readable numbers (TJ-2026-000123)
  CASE_ACCEPT_HOURS             how long a lead has to accept a case
  CASE_ACCEPT_WORKING_HOURS     count that window in office hours on working days
  OFFICE_HOURS                  the local office day, 09:00-17:00
  CASE_WARNING_WORKDAYS         working days before the target date when the lead is warned
  CASE_FOLLOW_UP_REMINDER_DAYS  days before a return visit when the lead is reminded
  CASE_REMINDER_HOUR            the local hour day-based reminders go out from
  VISIT_ATTACHMENT_MAX_BYTES    largest photo or PDF kept with a visit
  PUBLIC_FORM_LIMIT_PER_IP, PUBLIC_FORM_LIMIT_PER_PHONE  public form submissions allowed
  PUBLIC_BASE_URL               the host printed in QR codes and calendar links
  ESTIMATED_COUNT_THRESHOLD     admin lists above this many estimated rows show an estimate
"""

from talentoffice.env import env_bool, env_hours, env_int, env_str

CASE_NUMBER_PREFIX = env_str("CASE_NUMBER_PREFIX", "TJ")
CASE_ACCEPT_HOURS = env_int("CASE_ACCEPT_HOURS", 24)
# As 12345 offices do, a case assigned on Friday evening may wait for Monday instead of counting
# round-the-clock hours.
CASE_ACCEPT_WORKING_HOURS = env_bool("CASE_ACCEPT_WORKING_HOURS", False)
OFFICE_HOURS = env_hours("OFFICE_HOURS", "09:00-17:00")
CASE_WARNING_WORKDAYS = env_int("CASE_WARNING_WORKDAYS", 2)
CASE_FOLLOW_UP_REMINDER_DAYS = env_int("CASE_FOLLOW_UP_REMINDER_DAYS", 1)
CASE_REMINDER_HOUR = env_int("CASE_REMINDER_HOUR", 8)
# Checked by content in talentoffice.uploads: a phone photo or a scan.
VISIT_ATTACHMENT_MAX_BYTES = env_int("VISIT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
PUBLIC_FORM_LIMIT_PER_IP = env_int("PUBLIC_FORM_LIMIT_PER_IP", 5)  # per hour
PUBLIC_FORM_LIMIT_PER_PHONE = env_int("PUBLIC_FORM_LIMIT_PER_PHONE", 3)  # per day
# Needed when staff work on another host than the public one (e.g. https://talent.example.cn).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")
ESTIMATED_COUNT_THRESHOLD = env_int("ESTIMATED_COUNT_THRESHOLD", 10_000)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False  # see talentoffice.exporting.inert
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
