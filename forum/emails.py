"""Email addresses: the one check and normal form every address passes through before the forum uses it.

Sign-up, sign-in, password resets, email changes, invitations, chat hosts and the command line all
call `normalise`, so an address is one mailbox, stored and compared in one form, and trust is decided
on a domain that the check has read (never on the text after the last "@").
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

FORMAT_ERROR = "Enter an email address in the correct format, like name@example.gov.uk"


def normalise(raw: str | None) -> str | None:
    """Return the address in the form the forum stores (lower case, IDNA domain), or None if it is not one.

    One address only: no display name, no quoted local part, no comma, space or control character, a
    domain with a dot that is not a special-use name. The local part is ASCII, so plain SMTP can send
    to it; an internationalised domain is kept in its ASCII (IDNA) form.
    """
    if not raw or not isinstance(raw, str):
        return None
    try:
        address = validate_email(
            raw.strip(), check_deliverability=False, allow_smtputf8=False, allow_quoted_local=False,
            allow_display_name=False, allow_domain_literal=False, allow_empty_local=False,
        )
    except EmailNotValidError:
        return None
    return f"{address.local_part.lower()}@{address.ascii_domain.lower()}"


def domain(address: str | None) -> str | None:
    """The ASCII domain of a valid address, or None when the address does not pass the check."""
    normal = normalise(address)
    return normal.rpartition("@")[2] if normal else None


def in_domains(address: str | None, domains: tuple[str, ...]) -> bool:
    """Is a valid address at one of these domains or a subdomain of one (e.g. staffordshire.gov.uk)?"""
    found = domain(address)
    if found is None:
        return False
    return any(found == d or found.endswith("." + d) for d in (_ascii(d) for d in domains) if d)


def _ascii(name: str) -> str:
    """A configured domain in the same ASCII form as checked addresses."""
    name = name.strip().lower().strip(".")
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name
