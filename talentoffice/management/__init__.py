"""Management commands of the TalentOffice project."""
