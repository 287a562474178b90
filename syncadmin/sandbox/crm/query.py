"""Reading CRM records: listing with page / page_token (§2.3) and search (§2.4).

Selectors raise `QueryError(code, message, details)` for Zoho's 400 answers."""

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from .. import clock, knobs
from ..models import CrmOrg, CrmRecord
from .modules import ModuleSpec
from .records import live_records

MAX_PER_PAGE = 200
DISCRETE_LIMIT = 2000  # `page` reaches this far; search stops here
MAX_RECORDS = 100_000  # page_token reaches this far
MAX_FIELDS = 50
MAX_CONDITIONS = 10
TOKEN_TTL = timedelta(hours=24)
SORT_COLUMNS = {"id": "record_id", "Created_Time": "created_time", "Modified_Time": "modified_time"}


class QueryError(Exception):
    def __init__(self, code: str, message: str, **details: object) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


@dataclass
class Page:
    records: list[CrmRecord]
    info: dict = field(default_factory=dict)


def parse_fields(raw: str | None, *, required: bool) -> list[str] | None:
    if not raw:
        if required:
            raise QueryError(
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameters is missing",
                param_name="fields",
            )
        return None
    fields = [f.strip() for f in raw.split(",") if f.strip()]
    if len(fields) > MAX_FIELDS:
        raise QueryError("LIMIT_EXCEEDED", "Fields limit exceeded", limit=MAX_FIELDS)
    return fields


def _int_param(params: dict, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        raise QueryError("INVALID_DATA", "invalid data", param_name=name)
    return value


def page_params(params: dict) -> tuple[int, int]:
    """(page, per_page) of a plain paged read: page ≥ 1, per_page 1..200 (default 200)."""
    return (
        _int_param(params, "page", 1, 1, None),
        _int_param(params, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _sorting(params: dict) -> tuple[str, str]:
    sort_by = params.get("sort_by") or "id"
    sort_order = params.get("sort_order") or "desc"
    if sort_by not in SORT_COLUMNS:
        raise QueryError("INVALID_DATA", "invalid data", param_name="sort_by")
    if sort_order not in ("asc", "desc"):
        raise QueryError("INVALID_DATA", "invalid data", param_name="sort_order")
    return sort_by, sort_order


def _ordered(query: QuerySet, sort_by: str, sort_order: str) -> QuerySet:
    sign = "-" if sort_order == "desc" else ""
    return query.order_by(f"{sign}{SORT_COLUMNS[sort_by]}", f"{sign}record_id")


# ---------------------------------------------------------------- page tokens


def _binding(user_id: str, module: str, params: dict) -> str:
    bound = {k: v for k, v in sorted(params.items()) if k not in ("page", "page_token")}
    raw = json.dumps([user_id, module, bound])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _make_token(offset: int, binding: str) -> tuple[str, datetime]:
    expiry = clock.now() + TOKEN_TTL
    raw = json.dumps({"o": offset, "b": binding, "e": int(expiry.timestamp())})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="), expiry


def _read_token(token: str, binding: str) -> int:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        offset, bound, expiry = int(raw["o"]), raw["b"], raw["e"]
    except (ValueError, KeyError, TypeError):
        raise QueryError("INVALID_DATA", "invalid data", param_name="page_token") from None
    if expiry < clock.now().timestamp():
        raise QueryError("EXPIRED_VALUE", "the page token has expired", param_name="page_token")
    if bound != binding:
        raise QueryError(
            "TOKEN_BOUND_DATA_MISMATCH",
            "the page token is bound to other parameters",
            param_name="page_token",
        )
    return offset


# ---------------------------------------------------------------- listing


def record_list(
    org: CrmOrg,
    spec: ModuleSpec,
    params: dict,
    *,
    user_id: str,
    tz: str,
    modified_since: datetime | None = None,
) -> Page:
    """One page of live records; `info` as documented in §2.3."""
    per_page = _int_param(params, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    sort_by, sort_order = _sorting(params)
    query = live_records(org, spec.api_name)
    if params.get("ids"):
        query = query.filter(record_id__in=params["ids"].split(",")[:100])
    if modified_since is not None:
        query = query.filter(modified_time__gte=modified_since)  # inclusive, as Zoho is
    binding = _binding(user_id, spec.api_name, params)
    if params.get("page_token"):
        if params.get("page"):
            raise QueryError("INVALID_DATA", "page and page_token cannot be combined")
        offset, page = _read_token(params["page_token"], binding), None
    else:
        page = _int_param(params, "page", 1, 1, None)
        offset = (page - 1) * per_page
        if page * per_page > DISCRETE_LIMIT:
            raise QueryError(
                "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                "cannot fetch records beyond 2000 with page; use page_token",
                limit=DISCRETE_LIMIT,
            )
    if offset + per_page > MAX_RECORDS:
        raise QueryError(
            "PAGINATION_LIMIT_EXCEEDED", "pagination limit exceeded", limit=MAX_RECORDS
        )
    rows = list(_ordered(query, sort_by, sort_order)[offset : offset + per_page + 1])
    more = len(rows) > per_page
    info = {
        "per_page": per_page,
        "count": min(len(rows), per_page),
        "page": page if page is not None else offset // per_page + 1,
        "sort_by": sort_by,
        "sort_order": sort_order,
        "more_records": more,
        "next_page_token": None,
        "previous_page_token": None,
        "page_token_expiry": None,
        "call": False,
        "email": False,
    }
    if more:
        token, expiry = _make_token(offset + per_page, binding)
        info["next_page_token"] = token
        info["page_token_expiry"] = clock.crm_format(expiry, tz)
    if offset > 0:
        info["previous_page_token"] = _make_token(max(0, offset - per_page), binding)[0]
    return Page(rows[:per_page], info)


# ---------------------------------------------------------------- search


_OPERATORS = {
    "equals",
    "not_equal",
    "starts_with",
    "in",
    "greater_than",
    "greater_equal",
    "less_than",
    "less_equal",
    "between",
}
_WORD_OK = re.compile(r"^[\w\s.@'-]+$")


def _invalid_query(reason: str = "") -> QueryError:
    return QueryError("INVALID_QUERY", "invalid query formed", reason=reason)


def _split_values(raw: str) -> list[str]:
    """Split on unescaped commas; `\\,` `\\(` `\\)` are literal."""
    values, current, escaped = [], "", False
    for char in raw:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ",":
            values.append(current)
            current = ""
        else:
            current += char
    values.append(current)
    return values


class _Parser:
    """Recursive descent over `(F:op:v)`, `((…)and(…))`, `((…)or(…))`."""

    def __init__(self, text: str, spec: ModuleSpec) -> None:
        self.text, self.pos, self.spec, self.conditions = text, 0, spec, 0

    def parse(self) -> Q:
        q = self._group()
        if self.pos != len(self.text):
            raise _invalid_query("trailing text")
        return q

    def _group(self) -> Q:
        if not self.text.startswith("(", self.pos):
            raise _invalid_query("expected (")
        if self.text.startswith("((", self.pos) or self.text.startswith("( (", self.pos):
            self.pos += 1
            q = self._group()
            while True:
                rest = self.text[self.pos :].lower()
                if rest.startswith(")"):
                    self.pos += 1
                    return q
                if rest.startswith("and"):
                    self.pos += 3
                    q &= self._group()
                elif rest.startswith("or"):
                    self.pos += 2
                    q |= self._group()
                else:
                    raise _invalid_query("expected and/or")
        return self._condition()

    def _condition(self) -> Q:
        self.pos += 1
        end, escaped = self.pos, False
        while end < len(self.text):
            char = self.text[end]
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == ")":
                break
            end += 1
        else:
            raise _invalid_query("unclosed (")
        body, self.pos = self.text[self.pos : end], end + 1
        parts = body.split(":", 2)
        if len(parts) != 3 or parts[1] not in _OPERATORS or not parts[0]:
            raise _invalid_query(body)
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise _invalid_query("too many conditions")
        return condition_q(self.spec, parts[0].strip(), parts[1], _split_values(parts[2]))


def _column(spec: ModuleSpec, field_name: str) -> tuple[str, str]:
    """(ORM path, kind) for a criteria field; kind is text / exact / time."""
    if field_name == "id":
        return "record_id", "exact"
    if field_name in ("Created_Time", "Modified_Time"):
        return field_name.lower(), "time"
    if field_name in ("Owner", "Owner.id"):
        return "owner__crm_user_id", "exact"
    if field_name == "Account_Name.id" and spec.api_name != "Accounts":
        return "account_id", "exact"
    if field_name == spec.name_field:
        return "name", "text"
    if field_name == "Email":
        return "email", "text"
    base, _, sub = field_name.partition(".")
    if not re.fullmatch(r"[A-Za-z0-9_]+", base):
        raise _invalid_query(field_name)
    if base in spec.lookups:
        return f"data__{base}__{sub or 'name'}", "text"
    return f"data__{base}", "text"


def _time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise QueryError("INVALID_DATA", "invalid data", value=value) from None
    if moment.tzinfo is None:
        raise QueryError("INVALID_DATA", "invalid data", value=value)
    return moment


def condition_q(spec: ModuleSpec, field_name: str, op: str, values: list[str]) -> Q:
    path, kind = _column(spec, field_name)
    if kind == "time":
        values = [_time(v) for v in values]  # type: ignore[misc]
    value = values[0]
    if op in ("equals", "in"):
        if op == "in" and len(values) > 100:
            raise _invalid_query("in takes at most 100 values")
        suffix = "icontains" if kind == "text" else "exact"  # §2.4: equals ≈ contains
        q = Q()
        for v in values if op == "in" else [value]:
            q |= Q(**{f"{path}__{suffix}": v})
        return q
    if op == "not_equal":
        return ~Q(**{f"{path}__iexact" if kind == "text" else path: value})
    if op == "starts_with":
        return Q(**{f"{path}__istartswith": value})
    if op == "between":
        if len(values) != 2:
            raise _invalid_query("between takes two values")
        return Q(**{f"{path}__gte": values[0], f"{path}__lte": values[1]})
    lookup = {"greater_than": "gt", "greater_equal": "gte", "less_than": "lt", "less_equal": "lte"}
    return Q(**{f"{path}__{lookup[op]}": value})


def _search_q(spec: ModuleSpec, params: dict) -> Q:
    """The filter of a search call; precedence criteria > email > phone > word (§2.4)."""
    if params.get("criteria"):
        return _Parser(params["criteria"].strip(), spec).parse()
    if params.get("email"):
        q = Q(email__icontains=params["email"].strip())
        for field_name in spec.email_fields[1:]:
            q |= Q(**{f"data__{field_name}__icontains": params["email"].strip()})
        return q
    if params.get("phone"):
        q = Q(phone__icontains=params["phone"])
        for field_name in spec.phone_fields:
            q |= Q(**{f"data__{field_name}__icontains": params["phone"]})
        return q
    if params.get("word"):
        word = params["word"].strip()
        if len(word) < 2 or not _WORD_OK.match(word):
            raise QueryError("INVALID_DATA", "invalid data", param_name="word")
        return Q(name__icontains=word) | Q(email__icontains=word) | Q(phone__icontains=word)
    raise QueryError(
        "EXPECTED_PARAM_MISSING",
        "One of the expected parameter is missing",
        param_names=["criteria", "email", "phone", "word"],
    )


def record_search(org: CrmOrg, spec: ModuleSpec, params: dict) -> Page:
    """One page of matches. Records written within `search_index_delay_seconds` are not
    indexed yet and stay invisible; past the 2000th match: LIMIT_REACHED."""
    q = _search_q(spec, params)
    per_page = _int_param(params, "per_page", MAX_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_param(params, "page", 1, 1, None)
    sort_by, sort_order = _sorting(params)
    if page * per_page > DISCRETE_LIMIT:
        raise QueryError(
            "LIMIT_REACHED", "Maximum response iteration limit reached", limit=DISCRETE_LIMIT
        )
    query = live_records(org, spec.api_name).filter(q)
    delay = knobs.get().search_index_delay_seconds
    if delay:
        query = query.filter(modified_time__lte=clock.now() - timedelta(seconds=delay))
    offset = (page - 1) * per_page
    rows = list(_ordered(query, sort_by, sort_order)[offset : offset + per_page + 1])
    more = len(rows) > per_page
    info = {"per_page": per_page, "count": min(len(rows), per_page), "page": page}
    info["more_records"] = more
    return Page(rows[:per_page], info)
