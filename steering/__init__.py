"""Steering the programme: campaigns, activities, partner targets, the dashboard and reports.

Kept apart from partners/assistants/cases because it reads across all three and owns no rule
of theirs; it only counts what they record.
"""
