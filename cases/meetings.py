"""Council meetings (议事厅) and one-enterprise-one-discussion: the start of the case chain.

A meeting raises problems; each becomes a case linked to the meeting, so staff can follow the
chain 提出问题—共商共议—解决问题—跟踪回访 from the meeting to every return visit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import workflow
from .choices import CaseSource
from .models import Case, CouncilMeeting


@transaction.atomic
def record_council_meeting(
    *,
    title,
    held_on,
    place,
    service_point=None,
    enterprise=None,
    participants="",
    institutions=(),
    assistants=(),
    minutes="",
) -> CouncilMeeting:
    """Record a meeting that was held, with who took part."""
    meeting = CouncilMeeting(
        title=title,
        held_on=held_on,
        place=place,
        service_point=service_point,
        enterprise=enterprise,
        participants=participants,
        minutes=minutes,
    )
    meeting.full_clean()
    meeting.save()
    if institutions:
        meeting.institutions.set(institutions)
    if assistants:
        meeting.assistants.set(assistants)
    return meeting


@transaction.atomic
def raise_case_from_meeting(
    *,
    meeting,
    title,
    service_item,
    resident=None,
    enterprise=None,
    by=None,
    description="",
    service_point=None,
    priority="normal",
    beneficiaries=1,
    amount=None,
) -> Case:
    """Turn a problem raised at the meeting into a case linked to it.

    At a one-enterprise-one-discussion meeting the requester is the meeting's enterprise
    unless another requester is named.
    """
    if resident is None and enterprise is None:
        enterprise = meeting.enterprise
    if resident is None and enterprise is None:
        raise ValidationError(
            {"resident": _("Name the resident or enterprise who raised the problem.")},
            code="requester_required",
        )
    return workflow.create_case(
        title=title,
        service_item=service_item,
        source=CaseSource.COUNCIL_MEETING,
        resident=resident,
        enterprise=enterprise,
        by=by,
        description=description,
        service_point=service_point or meeting.service_point,
        priority=priority,
        beneficiaries=beneficiaries,
        amount=amount,
        council_meeting=meeting,
    )
