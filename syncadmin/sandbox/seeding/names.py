"""Realistic company and person names from word lists (no Faker), and the name drift
real CRM and Books orgs accumulate. Pure: everything comes from the `random.Random` given.
"""

import random

PREFIXES = (
    "Acme", "Apex", "Arrow", "Aurora", "Banyan", "Beacon", "Birch", "Blue Ridge", "Bright",
    "Cedar", "Coastal", "Cobalt", "Crescent", "Crown", "Delta", "Eastern", "Emerald",
    "Evergreen", "Falcon", "Fern", "Golden", "Granite", "Harbour", "Highland", "Horizon",
    "Indigo", "Iron", "Jade", "Juniper", "Kestrel", "Lakeside", "Lotus", "Maple", "Meridian",
    "Monsoon", "Neem", "Northwind", "Nova", "Oak", "Orchid", "Pacific", "Peacock", "Pinnacle",
    "Prairie", "Quartz", "Redwood", "Riverside", "Saffron", "Sapphire", "Silver", "Summit",
    "Sunrise", "Teak", "Thames", "Tiger", "Trident", "Unity", "Vale", "Vertex", "Willow",
    "Zenith", "Agarwal", "Bose", "Chopra", "Desai", "Gupta", "Iyer", "Joshi", "Kapoor",
    "Khan", "Kumar", "Mehta", "Menon", "Nair", "Patel", "Rao", "Reddy", "Shah", "Sharma",
    "Singh", "Verma", "Ashworth", "Barker", "Carter", "Dawson", "Ellis", "Fletcher",
    "Griffin", "Hughes", "Jenkins", "Knight", "Lambert", "Morgan", "Nolan", "Owens",
    "Parker", "Quinn", "Russell", "Spencer", "Turner", "Walsh", "Young", "Anand", "Bharat",
    "Chola", "Deccan", "Ganga", "Himalaya", "Kaveri", "Malabar", "Narmada", "Sahyadri",
    "Vindhya", "Yamuna", "Albion", "Cambrian", "Mercia", "Pennine", "Wessex", "Cotswold",
)  # fmt: skip
TRADES = (
    "Traders", "Textiles", "Logistics", "Foods", "Pharma", "Engineering", "Motors",
    "Electricals", "Steel", "Plastics", "Chemicals", "Packaging", "Exports", "Imports",
    "Software", "Systems", "Technologies", "Solutions", "Consulting", "Builders",
    "Constructions", "Interiors", "Furniture", "Garments", "Agro", "Dairy", "Spices",
    "Tea Company", "Coffee Works", "Paper Mills", "Printers", "Optics", "Instruments",
    "Auto Parts", "Tyres", "Ceramics", "Glassworks", "Hardware", "Medical", "Healthcare",
    "Hotels", "Travels", "Media", "Publishing", "Securities", "Finance", "Realty",
    "Energy", "Solar", "Water Systems", "Labs", "Robotics", "Castings", "Forgings",
)  # fmt: skip
SUFFIXES = ("Ltd", "Limited", "Pvt Ltd", "Private Limited", "LLP", "Co", "Group", "")
CITIES = (
    ("Chennai", "Tamil Nadu"), ("Coimbatore", "Tamil Nadu"), ("Bengaluru", "Karnataka"),
    ("Mysuru", "Karnataka"), ("Mumbai", "Maharashtra"), ("Pune", "Maharashtra"),
    ("New Delhi", "Delhi"), ("Hyderabad", "Telangana"), ("Kolkata", "West Bengal"),
    ("Ahmedabad", "Gujarat"), ("Surat", "Gujarat"), ("Jaipur", "Rajasthan"),
    ("Kochi", "Kerala"), ("Lucknow", "Uttar Pradesh"), ("Chandigarh", "Chandigarh"),
    ("Indore", "Madhya Pradesh"), ("Bhubaneswar", "Odisha"), ("Goa", "Goa"),
)  # fmt: skip
FIRST_NAMES = (
    "Aarav", "Aditi", "Akash", "Ananya", "Arjun", "Deepa", "Divya", "Gaurav", "Isha",
    "Karan", "Kavya", "Lakshmi", "Manish", "Meera", "Neha", "Nikhil", "Pooja", "Priya",
    "Rahul", "Ravi", "Rohan", "Sanjay", "Sneha", "Suresh", "Tanvi", "Varun", "Vikram",
    "Alice", "Ben", "Charlotte", "Daniel", "Emily", "George", "Hannah", "Jack", "James",
    "Lucy", "Mia", "Oliver", "Olivia", "Sophie", "Thomas", "William", "Zara", "Farah",
)  # fmt: skip
LAST_NAMES = (
    "Agarwal", "Bhat", "Chatterjee", "Das", "Fernandes", "Ghosh", "Iyer", "Jain", "Kulkarni",
    "Mishra", "Naidu", "Pillai", "Rao", "Saxena", "Shetty", "Srinivasan", "Trivedi",
    "Venkatesh", "Brown", "Clarke", "Davies", "Evans", "Green", "Hall", "Harris", "Jones",
    "Lewis", "Martin", "Roberts", "Smith", "Taylor", "Thompson", "Walker", "White", "Wood",
)  # fmt: skip
STREETS = ("MG Road", "Anna Salai", "Park Street", "High Street", "Station Road",
           "Church Street", "Ring Road", "Nehru Place", "Brigade Road", "Linking Road")  # fmt: skip

# How the same customer's name differs between CRM and Books (issue item 6).
# The first four make a second customer at the first sync; the last two fail with 3062
# because Books trims names and ignores case when it checks uniqueness.
DRIFT_DUPLICATES = ("ltd_limited", "ampersand", "leading_the", "punctuation")
DRIFT_FAILURES = ("trailing_space", "case")
DRIFTS = DRIFT_DUPLICATES + DRIFT_FAILURES


class NameBook:
    """Hands out company names unique (case-insensitively, trimmed) across a scenario."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _fresh(self, build) -> str:
        for attempt in range(50):
            name = build()
            if attempt > 5:  # a crowded space at 200 000 records: add a city
                name = f"{name} {self.rng.choice(CITIES)[0]}"
            if not ({name.strip().lower(), *_drift_keys(name)} & self.used):
                self.used.add(name.strip().lower())
                self.used.update(_drift_keys(name))
                return name
        raise RuntimeError("name space exhausted")

    def company(self, drift: str | None = None) -> str:
        """A company name; with `drift`, one shaped so that the drift applies to it."""
        rng = self.rng

        def build() -> str:
            core = f"{rng.choice(PREFIXES)} {rng.choice(TRADES)}"
            if drift == "ampersand":
                core = f"{rng.choice(PREFIXES)} & {rng.choice(PREFIXES)} {rng.choice(TRADES)}"
            if drift == "leading_the":
                return f"The {core} Company"
            suffix = "Ltd" if drift in ("ltd_limited", "punctuation") else rng.choice(SUFFIXES)
            return f"{core} {suffix}".strip()

        return self._fresh(build)

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)


def _drift_keys(name: str) -> set[str]:
    return {drift(kind, name).strip().lower() for kind in DRIFT_DUPLICATES}


def drift(kind: str, name: str) -> str:
    """`name` as the other system spells it."""
    if kind == "ltd_limited":
        if name.endswith(" Pvt Ltd"):
            return name[: -len("Pvt Ltd")] + "Private Limited"
        if name.endswith(" Ltd"):
            return name[: -len("Ltd")] + "Limited"
        return name + " Limited"
    if kind == "ampersand":
        return name.replace(" & ", " and ") if " & " in name else name + " & Co"
    if kind == "leading_the":
        return name[4:] if name.startswith("The ") else "The " + name
    if kind == "punctuation":
        return name + "."
    if kind == "trailing_space":
        return name + " "
    if kind == "case":
        return name.upper()
    raise ValueError(kind)


def domain(name: str) -> str:
    """A web domain a company of this name might own."""
    words = [w for w in name.lower().replace("&", " ").replace(".", " ").split() if w.isalpha()]
    stem = "".join(w for w in words if w not in {"the", "and", "ltd", "limited", "pvt", "co"})
    return f"{stem[:24] or 'example'}.example"
