"""Who is asking: the one place that tells a partner manager from staff and assistants."""


def partner_id_of(user) -> int | None:
    """The partner a signed-in partner manager acts for, or None for anyone else."""
    if not user.is_authenticated:
        return None
    contact = getattr(user, "partner_contact", None)
    return contact.partner_id if contact is not None else None


def is_district_staff(user) -> bool:
    """Organization-department staff see every row of the programme."""
    return user.is_active and user.is_staff
