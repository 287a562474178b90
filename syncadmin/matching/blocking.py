"""Candidate pairs by blocking: only records that share something are ever scored.

Sources, each counted in the stats:
* name   – the same normalised name (core), whatever the legal form;
* link   – the same CRM id (a Books customer carries its CRM account's id);
* tax / email / phone – the same strong key; a value shared by more than
  PLACEHOLDER_LIMIT records is a placeholder ("NA", the office switchboard) and ignored;
* fuzzy  – names one edit apart (a deletion neighbourhood over the distinct names, as
  SymSpell does), or equal once one word is dropped or the spaces are, and at least
  SIMILAR alike by rapidfuzz (checked once per pair of distinct names): a less alike
  name pair earns no band on its name, and any other evidence has its own block.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from rapidfuzz import fuzz

from .features import Features
from .scoring import SIMILAR

PLACEHOLDER_LIMIT = 8
MAX_BLOCK = 200  # records sharing one exact name beyond this are split by legal form
MAX_VARIANT_KEYS = 30  # distinct names sharing one fuzzy variant beyond this: not a block
MIN_FUZZY_LENGTH = 6


def _pairs_within(refs: list[str]) -> Iterator[tuple[str, str]]:
    for i, a in enumerate(refs):
        for b in refs[i + 1 :]:
            yield (a, b) if a < b else (b, a)


def _grouped(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for value, ref in items:
        if value:
            groups[value].append(ref)
    return groups


def _name_blocks(feats: list[Features]) -> Iterator[list[str]]:
    for key, refs in _grouped((f.key, f.ref) for f in feats).items():
        if len(refs) < 2:
            continue
        if len(refs) <= MAX_BLOCK:
            yield refs
            continue
        by_form = _grouped(("|".join(f.form) or "-", f.ref) for f in feats if f.key == key)
        yield from by_form.values()


def _value_blocks(
    feats: list[Features], attr: str, placeholders: dict[tuple[str, str], int]
) -> Iterator[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for f in feats:
        values = getattr(f, attr)
        if not values:
            continue
        if isinstance(values, str):
            groups[values].append(f.ref)
        else:
            for value in values:
                groups[value].append(f.ref)
    for value, refs in groups.items():
        if len(refs) > PLACEHOLDER_LIMIT and attr != "crm_ids":
            placeholders[(attr, value)] = len(refs)
            continue
        if len(refs) > 1:
            yield refs


def fuzzy_variants(key: str) -> set[str]:
    """The name itself, each one-character deletion (deleting a space joins two words)
    and, for names of three words or more, each one-word drop."""
    if len(key) < MIN_FUZZY_LENGTH:
        return {key}
    variants = {key[:i] + key[i + 1 :] for i in range(len(key))}
    variants.add(key)
    if key.count(" ") >= 2:
        words = key.split()
        variants.update(" ".join(words[:i] + words[i + 1 :]) for i in range(len(words)))
    return variants


def _fuzzy_key_pairs(keys: Iterable[str]) -> set[tuple[str, str]]:
    index: dict[str, list[str]] = {}
    for key in keys:
        for variant in fuzzy_variants(key):
            found = index.get(variant)
            if found is None:
                index[variant] = [key]
            else:
                found.append(key)
    pairs: set[tuple[str, str]] = set()
    for found in index.values():
        if 1 < len(found) <= MAX_VARIANT_KEYS:
            pairs.update(_pairs_within(found))  # a key is in a variant's list once
    cutoff = SIMILAR * 100
    return {
        (a, b)
        for a, b in pairs
        if fuzz.ratio(a, b, score_cutoff=cutoff) or fuzz.token_sort_ratio(a, b, score_cutoff=cutoff)
    }


def candidate_pairs(
    feats: list[Features],
) -> tuple[set[tuple[str, str]], dict[str, int], dict[tuple[str, str], int]]:
    """(pairs, pairs first found by each source, placeholder (attribute, value) → how
    many records carry it)."""
    pairs: set[tuple[str, str]] = set()
    by_source: dict[str, int] = {}
    placeholders: dict[tuple[str, str], int] = {}

    def add(source: str, blocks: Iterable[list[str]]) -> None:
        before = len(pairs)
        for refs in blocks:
            pairs.update(_pairs_within(refs))
        by_source[source] = len(pairs) - before

    add("link", _value_blocks(feats, "crm_ids", placeholders))
    add("name", _name_blocks(feats))
    for attr, source in (("tax_id", "tax"), ("emails", "email"), ("phones", "phone")):
        add(source, _value_blocks(feats, attr, placeholders))
    by_key = _grouped((f.key, f.ref) for f in feats)
    before = len(pairs)
    for k1, k2 in _fuzzy_key_pairs(by_key):
        for a in by_key[k1]:
            for b in by_key[k2]:
                pairs.add((a, b) if a < b else (b, a))
    by_source["fuzzy"] = len(pairs) - before
    return pairs, by_source, placeholders
