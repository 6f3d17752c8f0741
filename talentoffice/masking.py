"""Masking of personal data for lists, exports and the partner API (DESIGN rule 6)."""

MASK = "*"


def mask_name(name: str) -> str:
    """Keep the family name: 王小明 becomes 王**, 王明 becomes 王*."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits: 13812345678 becomes 138****5678."""
    phone = phone or ""
    if len(phone) <= 7:
        return MASK * len(phone)
    return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """Keep the region prefix and the last four characters of a resident ID number."""
    id_number = id_number or ""
    if len(id_number) <= 10:
        return MASK * len(id_number)
    return id_number[:6] + MASK * (len(id_number) - 10) + id_number[-4:]


def mask_address(address: str) -> str:
    """Keep the first six characters (the street and estate), hide the building and door."""
    address = (address or "").strip()
    if len(address) <= 6:
        return address[:2] + MASK * max(len(address) - 2, 0)
    return address[:6] + MASK * 4


# Residents' personal fields and how each is shown to whoever may not see it in full, by
# "app_label.model"; exports mask through it (talentoffice.exporting).
PERSONAL_FIELDS = {
    "cases.resident": {
        "name": mask_name,
        "phone": mask_phone,
        "address": mask_address,
        "id_number": mask_id_number,
    },
}
