"""Legal forms across the UK, India, the US and the EU, as they end company names.

Each canonical form lists the spellings it takes once a name is lower-cased, stripped of
diacritics and punctuation ("P.L.C." → "plc", "Pvt. Ltd." → "pvt ltd"). Only trailing
words are taken as a form, and never the whole name: "Co", "Company", "UK" and "Group"
are not forms at all (cleanco strips them from the end of any name; "Tea Company" is
part of a name), and "COOP" stays a name. Spellings that mean the same form in law share
one canonical form: "Ltd", "Limited", Welsh "Cyf" / "Cyfyngedig".
"""

LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    # UK (Companies Act 2006 s.58-59, Welsh forms s.58(2)) and India (Companies Act 2013)
    "ltd": ("ltd", "limited", "cyf", "cyfyngedig"),
    "plc": ("plc", "public limited company", "ccc", "cwmni cyfyngedig cyhoeddus"),
    "pvt ltd": ("pvt ltd", "private limited", "pvt limited", "private ltd", "p ltd"),
    "opc pvt ltd": ("opc pvt ltd", "opc private limited", "one person company pvt ltd"),
    "llp": (
        "llp",
        "limited liability partnership",
        "pac",
        "partneriaeth atebolrwydd cyfyngedig",
    ),
    "lp": ("lp", "limited partnership"),
    "cic": ("cic", "community interest company", "cbc", "cwmni buddiant cymunedol"),
    # US
    "inc": ("inc", "incorporated"),
    "llc": ("llc", "limited liability company", "l l c"),
    "corp": ("corp", "corporation"),
    # EU
    "gmbh": ("gmbh", "gesellschaft mit beschrankter haftung"),
    "gmbh co kg": ("gmbh co kg", "gmbh and co kg"),
    "ag": ("ag", "aktiengesellschaft"),
    "sarl": ("sarl", "societe a responsabilite limitee"),
    "sas": ("sas",),
    "sa": ("sa",),
    "bv": ("bv", "besloten vennootschap"),
    "nv": ("nv", "naamloze vennootschap"),
    "srl": ("srl",),
    "spa": ("spa",),
    "oy": ("oy",),
    "ab": ("ab",),
    "aps": ("aps",),
}

# spelling (as a word tuple) → canonical form; longest spellings are tried first
SPELLINGS: dict[tuple[str, ...], str] = {
    tuple(spelling.split()): form
    for form, spellings in LEGAL_FORMS.items()
    for spelling in spellings
}
LONGEST = max(len(words) for words in SPELLINGS)
