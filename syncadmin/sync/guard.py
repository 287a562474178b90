"""The pre-push collision guard: is this party already a Books customer?

Answers from the local mirror (no API call): a customer carrying the record's id (our
unique field or Zoho's own link fields) or the same e-mail is the same party; the exact
display name with no conflicting e-mail is too; a name equal only once legal forms,
case and punctuation are folded ("Acme Ltd" / "ACME Limited") is a look-alike a person
decides on. A customer already linked to another CRM record is never taken over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from syncadmin.matching.normalise import company_name, forms_compatible
from syncadmin.matching.normalise import email as normal_email
from syncadmin.models import BooksContact, CrmRecord, LinkProvenance, RecordLink
from syncadmin.models.mapping import NOT_LIVE_STATES

MAX_CANDIDATES = 50


@dataclass(frozen=True)
class Verdict:
    kind: str  # "none" | "same" | "lookalike"
    contact: BooksContact | None = None
    provenance: str = ""
    evidence: str = ""


NONE = Verdict("none")


def collision_guard(
    *,
    organization_id: str,
    module: str,
    crm_id: str,
    name: str,
    email: str,
    candidates: Iterable[BooksContact] | None = None,
) -> Verdict:
    """The Books customer this CRM record already is, a look-alike, or none."""
    id_field = "zcrm_contact_id" if module == "Contacts" else "zcrm_account_id"
    wanted = company_name(name)
    mail = normal_email(email)
    if candidates is None:
        candidates = _candidates(organization_id, id_field, crm_id, name, mail, wanted.core)
    candidates = [c for c in candidates if c.contact_type == "customer"]
    taken = _taken(organization_id, module, crm_id, candidates)
    for contact in candidates:
        if crm_id in (contact.crm_ref, getattr(contact, id_field)):
            provenance = (
                LinkProvenance.PUSHED if contact.crm_ref == crm_id else LinkProvenance.NATIVE_ID_MAP
            )
            return Verdict("same", contact, provenance, "it carries this CRM record's id")
    free = [c for c in candidates if c.pk not in taken]
    return _by_email(free, mail) or _by_name(free, name, mail, wanted) or NONE


def _candidates(org: str, id_field: str, crm_id: str, name: str, mail: str, core: str):
    query = Q(crm_ref=crm_id) | Q(**{id_field: crm_id}) | Q(contact_name__iexact=name.strip())
    if mail:
        query |= Q(email__iexact=mail)
    if core:
        # the core's first word bounds the look-alike search to a handful of rows
        query |= Q(contact_name__istartswith=core.split()[0])
    rows = BooksContact.objects.filter(query, organization_id=org, deleted_at__isnull=True)
    # the raw Books answer is not needed to judge, and is the bulk of each row
    return list(rows.exclude(status="inactive").defer("raw")[:MAX_CANDIDATES])


def _taken(org: str, module: str, crm_id: str, candidates: list[BooksContact]) -> set[int]:
    """Candidates already linked to a different CRM record of this module."""
    links = RecordLink.objects.filter(
        books_organization_id=org, crm_module=module, books_contact__in=candidates,
        crm_record__isnull=False,
    ).exclude(state__in=NOT_LIVE_STATES).exclude(crm_record__crm_id=crm_id)  # fmt: skip
    return set(links.values_list("books_contact_id", flat=True))


def _by_email(free: list[BooksContact], mail: str) -> Verdict | None:
    if not mail:
        return None
    same = [c for c in free if normal_email(c.email) == mail]
    if len(same) == 1:
        return Verdict("same", same[0], LinkProvenance.MATCHED, f"same e-mail {mail}")
    return None


def _by_name(free: list[BooksContact], name: str, mail: str, wanted) -> Verdict | None:
    exact = [c for c in free if c.contact_name.strip().casefold() == name.strip().casefold()]
    for contact in exact:
        other = normal_email(contact.email)
        if not mail or not other or other == mail:
            return Verdict("same", contact, LinkProvenance.MATCHED, "same display name")
    for contact in free:
        theirs = company_name(contact.contact_name)
        forms = forms_compatible(theirs.legal_form, wanted.legal_form)
        if theirs.core and theirs.core == wanted.core and forms != "different":
            return Verdict("lookalike", contact, "", "same name once case and legal form fold")
    return None


def disambiguated_name(name: str, record: CrmRecord | None) -> str:
    """A display name Books will take: the name with the city, else the CRM id's tail."""
    if record and record.billing_city:
        return f"{name} ({record.billing_city})"
    return f"{name} ({record.crm_id[-6:]})" if record else f"{name} (2)"
