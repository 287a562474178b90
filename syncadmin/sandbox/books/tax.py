"""Edition-specific contact rules (zoho-api.md §3.3): India GST, UK VAT, currencies.

The codes and messages of the India refusals were not found in any source (UNCERTAIN).
They are picked to look like Zoho's and must stay stable: the product's error taxonomy
keys off them.
"""

from .. import knobs
from ..models import BooksOrg
from .errors import BooksError, invalid_value

GST_TREATMENTS = ("business_gst", "business_none", "overseas", "consumer")
VAT_TREATMENTS = ("uk", "eu_vat_registered", "overseas")

# UNCERTAIN codes, see the module docstring
GST_TREATMENT_MISSING = BooksError(
    4011, "GST treatment is mandatory for business customers. Please select a GST treatment."
)
PLACE_OF_CONTACT_MISSING = BooksError(
    4012, "Place of supply is mandatory for this GST treatment. Please select a place of supply."
)
VAT_TREATMENT_MISSING = BooksError(
    4013, "VAT treatment is mandatory for business customers. Please select a VAT treatment."
)

# Indian states and union territories by name, so a CRM billing state can give the place
# of supply (state code) as the native integration would.
INDIAN_STATE_CODES = {
    "andhra pradesh": "AP", "arunachal pradesh": "AR", "assam": "AS", "bihar": "BR",
    "chhattisgarh": "CG", "delhi": "DL", "goa": "GA", "gujarat": "GJ", "haryana": "HR",
    "himachal pradesh": "HP", "jammu and kashmir": "JK", "jharkhand": "JH",
    "karnataka": "KA", "kerala": "KL", "madhya pradesh": "MP", "maharashtra": "MH",
    "manipur": "MN", "meghalaya": "ML", "mizoram": "MZ", "nagaland": "NL", "odisha": "OD",
    "punjab": "PB", "rajasthan": "RJ", "sikkim": "SK", "tamil nadu": "TN",
    "telangana": "TS", "tripura": "TR", "uttar pradesh": "UP", "uttarakhand": "UK",
    "west bengal": "WB", "chandigarh": "CH", "puducherry": "PY", "ladakh": "LA",
}  # fmt: skip


def state_code(state: str) -> str:
    """ "Tamil Nadu" → "TN"; a value that already is a code is returned upper-cased."""
    state = (state or "").strip()
    if len(state) <= 3:
        return state.upper()
    return INDIAN_STATE_CODES.get(state.lower(), "")


def tax_data(org: BooksOrg, merged: dict, *, contact_type: str, sub_type: str) -> dict:
    """The edition's tax keys to store, validated. `merged` holds the contact's current
    tax keys overlaid with the request's. Raises BooksError (code 2, 4011, 4012, 4013)."""
    if org.country == "in":
        return _india(merged, contact_type=contact_type, sub_type=sub_type)
    if org.country == "uk":
        if (
            knobs.get().books_uk_vat_required
            and contact_type == "customer"
            and (sub_type == "business" and not merged.get("vat_treatment"))
        ):
            raise VAT_TREATMENT_MISSING
        return _uk(merged)
    keys = ("is_taxable", "tax_id", "tax_authority_id", "tax_exemption_id")
    return {k: merged[k] for k in keys if k in merged}


def _india(merged: dict, *, contact_type: str, sub_type: str) -> dict:
    treatment = merged.get("gst_treatment") or ""
    place = state_code(merged.get("place_of_contact") or "")
    if treatment and treatment not in GST_TREATMENTS:
        raise invalid_value("gst_treatment")
    if contact_type == "customer" and sub_type == "business" and not treatment:
        raise GST_TREATMENT_MISSING
    if treatment and treatment != "overseas" and not place:
        raise PLACE_OF_CONTACT_MISSING
    data = {"gst_treatment": treatment, "place_of_contact": place}
    if merged.get("gst_no"):
        data["gst_no"] = str(merged["gst_no"])
    return data


def _uk(merged: dict) -> dict:
    treatment = merged.get("vat_treatment") or ""
    if treatment and treatment not in VAT_TREATMENTS:
        raise invalid_value("vat_treatment")
    data = {"vat_treatment": treatment, "vat_reg_no": str(merged.get("vat_reg_no") or "")}
    # a real UK contact mirrors the treatment in these two keys [S-OBS-UK]
    data["tax_treatment"] = data["contact_category"] = treatment
    data["country_code"] = str(merged.get("country_code") or ("GB" if treatment == "uk" else ""))
    return data


def currency(org: BooksOrg, *, currency_id: str = "", currency_code: str = "") -> dict:
    """The org currency named by id or code (base currency when neither is given);
    an unknown one → code 2, as a multi-currency org refuses it."""
    for entry in org.currencies:
        if currency_id and entry["currency_id"] == str(currency_id):
            return entry
        if not currency_id and currency_code and entry["currency_code"] == currency_code.upper():
            return entry
    if currency_id or currency_code:
        raise invalid_value("currency_id" if currency_id else "currency_code")
    base = next((c for c in org.currencies if c.get("is_base_currency")), None)
    return base or {"currency_id": "", "currency_code": org.currency_code}
