"""Key persons' personal data: who sees it unmasked, masking, and the read log.

Personal fields are phone, birthday (solar and lunar) and family notes. They are shown
unmasked to the retailer's assigned rep and to the roles in
`kehu.models.PERSONAL_DATA_ROLES` (office managers, who plan care and check claims).
Every unmasked read by someone other than the assigned rep is logged. Everyone else
(clerks, regional managers, finance, admins) sees them masked. Exports follow the same
rule.
"""

from collections.abc import Iterable

from accounts.scoping import memberships_of
from kehu.models import PERSONAL_DATA_ROLES, KeyPerson, PersonalDataRead

PERSONAL_FIELDS = ("phone", "birthday", "lunar_month", "lunar_day", "lunar_leap_month",
                   "family")
MASK = "****"


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits stay, enough to recognise it."""
    digits = phone.strip()
    if len(digits) <= 7:
        return MASK if digits else ""
    return f"{digits[:3]}{MASK}{digits[-4:]}"


def has_personal_data_role(user) -> bool:
    return any(m.role in PERSONAL_DATA_ROLES for m in memberships_of(user))


def sees_unmasked(user, key_person: KeyPerson) -> bool:
    """True when `user` may read this person's personal fields (scope already checked)."""
    return key_person.retailer.assigned_rep_id == user.pk or has_personal_data_role(user)


def needs_logging(user, key_person: KeyPerson) -> bool:
    return key_person.retailer.assigned_rep_id != user.pk


def personal_data_log_reads(*, user, key_persons: Iterable[KeyPerson], purpose: str) -> int:
    """Log unmasked reads by anyone but the assigned rep; one INSERT for a whole page."""
    rows = [
        PersonalDataRead(reader=user, key_person=person, purpose=purpose)
        for person in key_persons
        if person.erased_at is None and needs_logging(user, person)
    ]
    PersonalDataRead.objects.bulk_create(rows)
    return len(rows)


def masked_values(key_person: KeyPerson) -> dict:
    """The personal fields as a masked reader sees them."""
    return {
        "phone": mask_phone(key_person.phone),
        "birthday": None,
        "lunar_month": None,
        "lunar_day": None,
        "lunar_leap_month": None,
        "family": MASK if key_person.family else "",
    }


def may_export_personal_data(user) -> bool:
    """Exports of key persons carry the personal fields unmasked, so only those who see
    them unmasked may export them: office managers, and reps (their scope is exactly
    the retailers assigned to them)."""
    from accounts.models import Role

    return user.is_authenticated and (
        has_personal_data_role(user) or any(m.role == Role.REP for m in memberships_of(user)))
