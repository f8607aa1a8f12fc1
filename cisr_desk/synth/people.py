"""Fake but plausible customers: names, businesses, Southern California addresses, phones, e-mails.

Everything is drawn from small built-in lists with a caller's ``random.Random`` so that a seed
always gives the same people. The places are real SCE-territory cities with their real ZIP
codes and area codes, because the reader's ZIP/city checks and the clerk's eye both expect that.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
    "Joseph Jessica Thomas Sarah Carlos Karen Daniel Lisa Matthew Nancy Anthony Betty Mark Sandra Steven "
    "Ashley Paul Kimberly Andrew Emily Joshua Donna Kenneth Michelle Kevin Carol Brian Amanda George Melissa "
    "Jose Deborah Juan Stephanie Luis Rebecca Miguel Laura Kenji Priya Ana Linh Wei Mei Hiroshi Fatima Omar "
    "Grace Jorge Sofia Diego Elena Tuan Minh Arjun Nadia Rosa Hector Yolanda Trevor Brenda Dwayne Tamika"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Patel Kim Tran Nakamura Duncan Schaefer "
    "Murray Peterson Castillo Ortiz Alvarez Romero Okafor Shapiro Yamamoto Vasquez Delgado Mendoza Fischer"
).split()
BUSINESS_WORDS = (
    "Pacific Coastal Sierra Mesa Canyon Harbor Summit Valley Golden Desert Orchard Redwood Citrus Sunset "
    "Oak Cypress Mission Vista Inland Foothill Bayview Palomar Arroyo Condor Juniper Channel"
).split()
BUSINESS_KINDS = (
    "Dental Group", "Auto Body", "Cold Storage", "Family Farms", "Bakery", "Veterinary Clinic", "Machine Works",
    "Car Wash", "Self Storage", "Printing", "Plastics", "Nursery", "Brewing Company", "Market", "Laundry",
    "Packing House", "Medical Offices", "Fitness Center", "Hardware", "Tile & Stone", "Ice Company",
)
BUSINESS_SUFFIX = ("LLC", "Inc.", "Inc", "Corp.", "Co.", "", "", "L.P.")
TITLES = ("Owner", "President", "CFO", "Office Manager", "Facilities Manager", "Operations Director",
          "General Manager", "Managing Member", "Controller", "Plant Manager")

# city, ZIP codes, area code (SCE service territory)
PLACES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Oxnard", ("93030", "93033", "93035", "93036"), "805"), ("Ventura", ("93001", "93003", "93004"), "805"),
    ("Camarillo", ("93010", "93012"), "805"), ("Thousand Oaks", ("91360", "91362", "91320"), "805"),
    ("Simi Valley", ("93063", "93065"), "805"), ("Santa Barbara", ("93101", "93103", "93105"), "805"),
    ("Palmdale", ("93550", "93551", "93552"), "661"), ("Lancaster", ("93534", "93535", "93536"), "661"),
    ("Pomona", ("91766", "91767", "91768"), "909"), ("Ontario", ("91761", "91762", "91764"), "909"),
    ("Rancho Cucamonga", ("91701", "91730", "91737", "91739"), "909"), ("Fontana", ("92335", "92336", "92337"), "909"),
    ("Chino", ("91710",), "909"), ("Redlands", ("92373", "92374"), "909"), ("Rialto", ("92376", "92377"), "909"),
    ("San Bernardino", ("92404", "92405", "92407"), "909"), ("Big Bear Lake", ("92315",), "909"),
    ("Temecula", ("92590", "92591", "92592"), "951"), ("Murrieta", ("92562", "92563"), "951"),
    ("Riverside", ("92501", "92503", "92504", "92506"), "951"), ("Corona", ("92879", "92880", "92882"), "951"),
    ("Moreno Valley", ("92553", "92555", "92557"), "951"), ("Hemet", ("92543", "92544", "92545"), "951"),
    ("Victorville", ("92392", "92394", "92395"), "760"), ("Hesperia", ("92345",), "760"),
    ("Palm Springs", ("92262", "92264"), "760"), ("Palm Desert", ("92211", "92260"), "760"),
    ("Bishop", ("93514",), "760"), ("Mammoth Lakes", ("93546",), "760"),
    ("Visalia", ("93277", "93291", "93292"), "559"), ("Tulare", ("93274",), "559"),
    ("Santa Monica", ("90401", "90403", "90405"), "310"), ("Torrance", ("90501", "90503", "90505"), "310"),
    ("Malibu", ("90265",), "310"), ("Compton", ("90220", "90221"), "310"),
    ("Long Beach", ("90802", "90804", "90805", "90808", "90815"), "562"), ("Whittier", ("90601", "90603", "90605"), "562"),
    ("Downey", ("90240", "90241", "90242"), "562"), ("Rosemead", ("91770",), "626"),
    ("Alhambra", ("91801", "91803"), "626"), ("West Covina", ("91790", "91791", "91792"), "626"),
    ("Covina", ("91722", "91723", "91724"), "626"), ("Arcadia", ("91006", "91007"), "626"),
    ("Monrovia", ("91016",), "626"), ("Santa Ana", ("92701", "92703", "92704", "92705"), "714"),
    ("Orange", ("92865", "92866", "92867", "92869"), "714"), ("Tustin", ("92780", "92782"), "714"),
    ("Huntington Beach", ("92647", "92648", "92649"), "714"), ("Costa Mesa", ("92626", "92627"), "714"),
    ("Irvine", ("92602", "92604", "92606", "92618", "92620"), "949"), ("Mission Viejo", ("92691", "92692"), "949"),
    ("Lake Forest", ("92630",), "949"),
)
STREETS = (
    "Orange St", "Rose Ave", "Foothill Blvd", "Main St", "Magnolia Ave", "Vineyard Ave", "Grove Ave", "Lincoln Ave",
    "Garey Ave", "Milliken Ave", "Central Ave", "Pacific Coast Hwy", "Ocean Blvd", "Mission Blvd", "Baseline Rd",
    "Sierra Hwy", "Palm Canyon Dr", "Citrus Ave", "Euclid Ave", "Haven Ave", "Sepulveda Blvd", "Valley Blvd",
    "Garvey Ave", "Walnut Ave", "Olive St", "Cedar St", "Pine St", "Oak St", "Elm St", "Maple Ave", "Sycamore Dr",
    "Jacaranda Ln", "Mesa Dr", "Canyon Rd", "Harbor Blvd", "Beach Blvd", "Victoria Ave", "Arrow Hwy", "Holt Ave",
    "Avenue J", "Rancho Vista Blvd", "Highland Ave", "Cactus Ave", "Alessandro Blvd", "Ventura Blvd", "Telegraph Rd",
    "Wilshire Blvd", "Bear Valley Rd", "Mojave Dr", "Date Palm Dr", "Sunset Dr", "Lakeview Ave", "Chapman Ave",
)
DIRECTIONS = ("N", "S", "E", "W")
MAIL_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com", "aol.com", "att.net")


@dataclass(frozen=True)
class Place:
    city: str
    zip: str
    area: str


@dataclass(frozen=True)
class Customer:
    """Whoever is the customer of record: a person, or a business with a person who signs for it."""
    name: str
    signer: str  # the person who prints and signs
    title: str  # "" for a person signing for themselves
    business: bool
    street: str
    place: Place
    phone: str  # 10 digits
    email: str  # lower case, may be ""


def person_name(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if rng.random() < 0.12:
        return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
    return f"{first} {last}"


def business_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        a, b, c = rng.sample(LAST, 3)
        return f"{a}, {b} and {c}" if rng.random() < 0.5 else f"{a}-{b}"
    if r < 0.6:
        name = f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)}"
    else:
        name = f"{rng.choice(LAST)} {rng.choice(BUSINESS_KINDS)}"
    suffix = rng.choice(BUSINESS_SUFFIX)
    return f"{name} {suffix}".strip()


def place(rng: random.Random) -> Place:
    city, zips, area = rng.choice(PLACES)
    return Place(city, rng.choice(zips), area)


def street(rng: random.Random, unit: bool = True) -> str:
    number = str(rng.choice((rng.randint(1, 999), rng.randint(100, 9999), rng.randint(1000, 29999))))
    name = rng.choice(STREETS)
    if rng.random() < 0.2 and not name.startswith("Avenue"):
        name = f"{rng.choice(DIRECTIONS)} {name}"
    text = f"{number} {name}"
    if unit and rng.random() < 0.12:
        text += f" {rng.choice(('Ste', 'Apt', 'Unit', '#'))} {rng.randint(1, 240)}".replace("# ", "#")
    return text


def phone(rng: random.Random, area: str | None = None) -> str:
    area = area or rng.choice([p[2] for p in PLACES])
    if rng.random() < 0.5:
        return f"{area}555{rng.randint(100, 199):04d}"
    return f"{area}{rng.randint(200, 989)}{rng.randint(0, 9999):04d}"


def email_for(rng: random.Random, person: str, business: str = "") -> str:
    parts = [p.strip(".").lower() for p in person.split() if len(p.strip(".")) > 1]
    first, last = parts[0], parts[-1]
    local = rng.choice((f"{first}.{last}", f"{first}{last[0]}", f"{first[0]}{last}", f"{first}.{last}{rng.randint(1, 99)}"))
    if business:
        word = "".join(ch for ch in business.split(",")[0].split()[0].lower() if ch.isalnum())
        return f"{local}@{word}{rng.choice(('.com', '.net', '.org', 'co.com'))}"
    return f"{local}@{rng.choice(MAIL_DOMAINS)}"


def customer(rng: random.Random) -> Customer:
    business = rng.random() < 0.4
    signer = person_name(rng)
    name = business_name(rng) if business else signer
    where = place(rng)
    st = street(rng)
    if business and rng.random() < 0.15:
        st = f"P.O. Box {rng.randint(100, 9999)}"
    title = rng.choice(TITLES) if business else ""
    mail = email_for(rng, signer, name if business else "") if rng.random() < 0.7 else ""
    return Customer(name, signer, title, business, st, where, phone(rng, where.area), mail)


def luhn_free_account(rng: random.Random, lead: str) -> str:
    """A 10-digit account starting with ``lead`` (SCE numbers carry no check digit we must honour)."""
    return lead + "".join(str(rng.randint(0, 9)) for _ in range(9))
