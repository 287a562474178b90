"""Normalisation: company and person names, e-mails, phones, tax ids, web domains.

Pure functions of strings. A company name becomes a `CompanyName`: its core (what
compares) and its legal form kept apart, because "Acme Ltd" and "Acme LLP" are two
companies and the form is evidence, not noise.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from .legal_forms import LONGEST, SPELLINGS

FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.in",
        "yahoo.co.uk",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.de",
        "web.de",
        "mail.com",
        "zoho.com",
        "zohomail.com",
        "rediffmail.com",
        "yandex.com",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "talktalk.net",
    ]
)
_SPACE = re.compile(r"[^0-9a-z]+")
_NOT_DIGIT = re.compile(r"[^0-9]")
_INTERNATIONAL = re.compile(r"^\+[1-9][0-9 -]{6,18}[0-9]$")
_GSTIN = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][0-9A-Z]Z[0-9A-Z]$")


@dataclass(frozen=True, slots=True)
class CompanyName:
    core: str  # "acme uk", words joined by one space
    legal_form: tuple[str, ...]  # canonical forms, outermost first: ("ltd",), ()

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(self.core.split())


def fold(text: str) -> str:
    """Case, diacritics, "&", punctuation and whitespace folded away: words joined by
    single spaces."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("&", " and ").replace("+", " and ")
    # "L.L.P." → "llp", "Barker's" → "barkers" (str.replace beats str.translate here)
    text = text.replace(".", "").replace("'", "").replace("’", "").replace("`", "")
    return " ".join(_SPACE.split(text)).strip()


@lru_cache(maxsize=200_000)
def company_name(raw: str) -> CompanyName:
    """'The Acme (UK) Pvt. Ltd.' → core 'acme uk', legal form ('pvt ltd',)."""
    words = fold(raw).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    forms: list[str] = []
    while len(forms) < 2:  # "Acme LLP Limited": two forms, both kept
        form, width = _trailing_form(words)
        if not form:
            break
        forms.append(form)
        words = words[:-width]
    if len(words) > 1 and words[-1] == "and":  # "Acme & Co Ltd" keeps "co"; "Acme &" not
        words = words[:-1]
    return CompanyName(" ".join(words), tuple(forms))


def _trailing_form(words: list[str]) -> tuple[str, int]:
    for width in range(min(LONGEST, len(words) - 1), 0, -1):  # never the whole name
        form = SPELLINGS.get(tuple(words[-width:]))
        if form:
            return form, width
    return "", 0


def forms_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """'same', 'missing' (one side states none, or states more) or 'different'."""
    if set(a) == set(b):
        return "same"
    if not a or not b or set(a) <= set(b) or set(b) <= set(a):
        return "missing"
    return "different"


def person_name(first: str, last: str = "") -> str:
    """'Dr. José  de la Cruz' → 'jose de la cruz' (titles dropped)."""
    words = fold(f"{first} {last}").split()
    while words and words[0] in {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "shri", "smt"}:
        words = words[1:]
    return " ".join(words)


def email(raw: str) -> str:
    """Lower-cased and trimmed; '' when it is not an address."""
    value = (raw or "").strip().strip("<>").lower()
    if value.startswith("mailto:"):
        value = value[7:]
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value:
        return ""
    return value


def company_domain(address_or_site: str) -> str:
    """The company's own domain from an e-mail or a website; '' for free-mail domains."""
    value = (address_or_site or "").strip().lower()
    if "@" in value:
        value = value.rpartition("@")[2]
        return value if value not in FREE_MAIL and "." in value else ""
    value = re.sub(r"^[a-z]+://", "", value).split("/")[0].split(":")[0]
    if value.startswith("www."):
        value = value[4:]
    if "." not in value or value in FREE_MAIL:
        return ""
    return value


@lru_cache(maxsize=200_000)
def phone(raw: str, region: str = "") -> str:
    """E.164 ('+919876543210'), or '' when the number cannot be read as a valid one."""
    text = (raw or "").strip()
    if not text:
        return ""
    if _INTERNATIONAL.match(text):
        digits = _NOT_DIGIT.sub("", text)
        # "+91 98765 43210" is E.164 once the spacing goes: no parser (it costs 25 µs).
        # A trunk "0" after the country code ("+44 020 …") takes the parser.
        for width in (1, 2, 3):  # country codes are prefix-free
            if int(digits[:width]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                if digits[width] != "0" and 8 <= len(digits) <= 15:
                    return "+" + digits
                break
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def tax_id(raw: str) -> str:
    """GSTIN or VAT number upper-cased without spaces or punctuation; '' when it does not
    look like one (placeholders such as 'NA' or 'N/A' included)."""
    value = re.sub(r"[^0-9A-Za-z]", "", raw or "").upper()
    if len(value) == 15 and value[:2].isdigit():
        return value if _GSTIN.match(value) else ""
    if value.startswith("GB") or value[:2].isalpha():  # EU / UK VAT: country + digits
        return value if len(value) >= 8 and any(ch.isdigit() for ch in value) else ""
    return value if len(value) >= 8 and value.isdigit() else ""
