"""Contact custom fields: the three input forms real clients send (zoho-api.md §3.3) and
Zoho's rich output objects. Every org shares one small catalogue of definitions.

`cf_crm_ref` is flagged unique ("Do not allow duplicate values" in Books' field settings):
no two contacts of an org may hold the same value, and it can key an upsert
(`PUT /contacts` + `X-Unique-Identifier-Key`, §3.2)."""

from .errors import invalid_value

CATALOGUE = (
    {"customfield_id": "460000000000901", "api_name": "cf_crm_ref", "label": "CRM Ref", "index": 1,
     "is_unique": True},
    {"customfield_id": "460000000000902", "api_name": "cf_account_manager",
     "label": "Account Manager", "index": 2},
    {"customfield_id": "460000000000903", "api_name": "cf_segment", "label": "Segment", "index": 3},
)  # fmt: skip


def _definition(item: dict) -> dict:
    for key in ("api_name", "customfield_id", "index"):
        if key in item:
            found = next((d for d in CATALOGUE if str(d[key]) == str(item[key])), None)
            if found:
                return found
            break
    name = str(item.get("api_name") or "")
    if name.startswith("cf_"):  # an org-specific field the catalogue does not list
        return {"customfield_id": "", "api_name": name, "label": name[3:], "index": 0}
    raise invalid_value("custom_fields")


UNIQUE = tuple(d["api_name"] for d in CATALOGUE if d.get("is_unique"))


def unique_definition(api_name: str) -> dict | None:
    """The catalogue entry of a unique field, by api_name; None if not unique."""
    return next((d for d in CATALOGUE if d["api_name"] == api_name and d.get("is_unique")), None)


def parse(items: object) -> dict[str, str]:
    """`[{"index"|"api_name"|"customfield_id": …, "value": …}]` → {api_name: value}."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise invalid_value("custom_fields")
    return {_definition(i)["api_name"]: "" if i.get("value") is None else str(i["value"])
            for i in items}  # fmt: skip


def render(values: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """(custom_fields objects, custom_field_hash) as a GET answers them."""
    fields, flat = [], {}
    for api_name, value in values.items():
        definition = _definition({"api_name": api_name})
        fields.append(
            {
                **definition,
                "is_unique": bool(definition.get("is_unique")),
                "value": value,
                "value_formatted": value,
                "data_type": "string",
                "is_active": True,
                "search_entity": "contact",
            }
        )
        flat[api_name] = flat[f"{api_name}_unformatted"] = value
    return fields, flat
