"""The assistants' phone pages under /m/: today, shifts, cases, visits, follow-ups, inbox.

URL names and the data-testid of every key control are listed in docs/mobile.md (the browser
tests find elements by them; they stay stable).

Every page starts from a visible_to queryset (Shift, Case, Visit; enterprises and residents
through .scopes), so another assistant's shift, case or visit answers 404. Every page runs a
fixed number of queries whatever the data size; tests/mobile/test_queries.py pins each count.
Every change goes through its service function (assistants.shifts, cases.workflow,
cases.visits, cases.intake, talentoffice.notifications): the pages only translate forms into
calls and errors into messages.

Requests sent by the page's JavaScript (header X-Requested-With: XMLHttpRequest) get JSON:
a visit logged from a draft learns whether it was saved, refused (and why), or whether the
session is gone (401), in which case the phone keeps the draft until the assistant logs in.

One module per topic; this package names the views urls.py routes to.
"""

from .calendar import calendar
from .cases import case_action, case_detail, case_list, case_new, case_reveal, follow_up
from .home import today
from .inbox import inbox, inbox_open, inbox_read_all
from .login import login_view, logout_view, password_change, password_change_done
from .requests import extension, leave
from .search import search
from .shifts import check_in, check_out, shift_detail, shift_list, shift_offer
from .swaps import swap_accept, swap_cancel, swap_offers
from .visits import visit_detail, visit_list, visit_new

__all__ = [
    "calendar",
    "case_action",
    "case_detail",
    "case_list",
    "case_new",
    "case_reveal",
    "check_in",
    "check_out",
    "extension",
    "follow_up",
    "inbox",
    "inbox_open",
    "inbox_read_all",
    "leave",
    "login_view",
    "logout_view",
    "password_change",
    "password_change_done",
    "search",
    "shift_detail",
    "shift_list",
    "shift_offer",
    "swap_accept",
    "swap_cancel",
    "swap_offers",
    "today",
    "visit_detail",
    "visit_list",
    "visit_new",
]
