"""Partner rows built at run time from ../shared/data: the real records (the map's
initiatives with their SKOS concepts read through docs/mappings/alternatives-pwa.yaml,
two digital-inclusion exports), resampled into CSV files of a partner export, and
the vocabulary visitors would search."""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from benchmarks.imports import MAPPING as PARTNER_MAPPING

from .common import ROOT, SHARED

# The networks of the real data: the five that listed the initiatives of the map
# (its « sourceDisplay ») and two digital-inclusion partners (partners-mednum).
PARTNERS = (
    ("alternatiba", "Alternatiba"),
    ("crid", "CRID"),
    ("utopia", "Utopia"),
    ("campanule", "Campanule"),
    ("presdecheznous", "Près de chez nous"),
    ("la-creuse", "Numérique en Creuse"),
    ("hub-lo", "Hub Lo"),
)
QUALIFIERS = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coop"]
STAGES = ["idee", "experimentation", "consolidation", "essaimage", "changement-echelle"]
SCALES = ["quartier", "commune", "intercommunalite", "departement", "region"]
STATUSES = ["Association", "Coopérative", "Collectif"]
COLUMNS = [
    "id",
    "nom",
    "resume",
    "description",
    "site",
    "themes",
    "tags",
    "statut",
    "structure",
    "stade",
    "echelle",
    "annee",
    "publics",
    "methodes",
    "cp",
    "commune",
    "lat",
    "lon",
    "adresse",
]
# benchmarks/imports.py's partner mapping, with the columns a fuller export carries.
MAPPING = {
    **PARTNER_MAPPING,
    "fields": {
        **PARTNER_MAPPING["fields"],
        "structure_name": "structure",
        "stage": "stade",
        "scale": "echelle",
        "year_started": {"from": "annee", "transforms": ["year"]},
        "publics": {"from": "publics", "transforms": [{"split": "|"}, "trim"]},
        "methods": {"from": "methodes", "transforms": [{"split": "|"}, "trim"]},
    },
}
# Words of five letters or more too common to be a search.
STOPWORDS = frozenset(
    (
        "avec",
        "pour",
        "dans",
        "leurs",
        "notre",
        "votre",
        "entre",
        "ainsi",
        "aussi",
        "cette",
        "comme",
        "faire",
        "depuis",
        "toutes",
        "autres",
        "autour",
        "avons",
        "elles",
        "etait",
        "etre",
        "sont",
        "tous",
        "plusieurs",
        "permet",
        "propose",
        "proposer",
        "http",
        "https",
        "facebook",
        "www",
        "selon",
        "chaque",
        "encore",
        "place",
        "peuvent",
        "lieux",
        "apres",
        "avant",
    )
)


# Partner names (added as tags) and contact-detail words of the digital-inclusion
# exports: not what visitors search.
NOT_WORDS = frozenset({slug.replace("-", " ") for slug, _ in PARTNERS}) | {
    "adresse",
    "numero",
    "telephone",
}


def _skos_themes() -> dict[str, list[str]]:
    """The real mapping's SKOS concept → sub-theme codes (docs/mappings)."""
    import yaml

    mapping = yaml.safe_load((ROOT / "docs/mappings/alternatives-pwa.yaml").read_text("utf-8"))
    for transform in mapping["fields"]["themes"]["transforms"]:
        if isinstance(transform, dict) and "map" in transform:
            return {
                key: value if isinstance(value, list) else [value]
                for key, value in transform["map"].items()
            }
    return {}


def seed_records() -> list[dict]:
    """The real records as partner rows (name, text, site, tags, themes, place)."""
    if not (SHARED / "alternatives-pwa" / "elements.json").exists():
        sys.exit(f"{SHARED} absent : les données partenaires réelles sont nécessaires.")
    from innovations.geo import in_france

    skos = _skos_themes()
    records = []
    for item in json.loads((SHARED / "alternatives-pwa/elements.json").read_text("utf-8")):
        try:
            lat, lon = float(item.get("lat")), float(item.get("long"))
        except (TypeError, ValueError):
            continue
        if not in_france(lat, lon):
            continue  # rejected by the real mapping too (coordinates abroad)
        text = (item.get("abstract") or "").strip()
        concepts = [c.get("@id", "") for c in item.get("taxonomy") or [] if isinstance(c, dict)]
        records.append(
            {
                "nom": item.get("Name") or "",
                "resume": text[:300],
                "description": text,
                "site": (item.get("site") or "").replace("\\c", ":"),
                "tags": ", ".join(
                    filter(None, [item.get("tags") or "", item.get("sourceDisplay") or ""])
                ),
                "themes": sorted({code for c in concepts for code in skos.get(c, [])}),
                "lat": lat,
                "lon": lon,
                "cp": "",
                "commune": "",
                "adresse": "",
            }
        )
    for item in json.loads((SHARED / "partners-mednum/la-creuse/la-creuse.json").read_text()):
        records.append(_mednum(item.get("nom"), item.get("description"), "", item))
    for item in json.loads((SHARED / "partners-mednum/hub-lo/hub-lo.json").read_text()):
        records.append(
            _mednum(
                item.get("c_nom"),
                "",
                item.get("c_site_web"),
                {
                    "services": item.get("c_etiquettes"),
                    "code_postal": item.get("c_postcode"),
                    "commune": item.get("c_city"),
                    "adresse": item.get("c_adresse"),
                },
            )
        )
    return [r for r in records if r["nom"] and (r["lat"] != "" or r["cp"] or r["commune"])]


def _mednum(name, text, site, item: dict) -> dict:
    text = (text or "").strip()
    return {
        "nom": name or "",
        "resume": text[:300],
        "description": text,
        "site": site or "",
        "tags": item.get("services") or "",
        "themes": ["numerique.inclusion-numerique"],
        "lat": "",
        "lon": "",
        "cp": str(item.get("code_postal") or ""),
        "commune": item.get("commune") or "",
        "adresse": item.get("adresse") or "",
    }


def taxonomy_codes() -> dict[str, list[str]]:
    taxonomy = json.loads((ROOT / "innovations/data/taxonomy.json").read_text(encoding="utf-8"))
    return {
        "domains": [d["code"] for d in taxonomy["domains"]],
        "themes": [s["code"] for d in taxonomy["domains"] for s in d["subthemes"]],
        "publics": [p["code"] for p in taxonomy["publics"]],
        "methods": [m["code"] for m in taxonomy["methods"]],
    }


def partner_row(index: int, seeds: list[dict], codes: dict, seed: int) -> dict:
    """Row ``index`` (0-based, the same on every run): a real record, varied. Copies
    of a record are other projects: their name carries the lap, their website a
    path of their own (two projects sharing a site would be « doublons probables »)
    and their point moves a little around the original's."""
    rng = random.Random(seed * 1_000_003 + index)
    record = seeds[index % len(seeds)]
    lap = index // len(seeds)
    row = {key: record[key] for key in ("resume", "description", "tags", "cp", "commune")}
    row["id"] = f"S{index + 1}"
    row["nom"] = f"{record['nom']} {rng.choice(QUALIFIERS)} {lap or ''}".strip()
    row["structure"] = record["nom"]
    row["adresse"] = record["adresse"]
    row["site"] = record["site"]
    if lap and row["site"]:
        row["site"] = f"{row['site'].rstrip('/')}/antenne-{lap}"
    themes = record["themes"] or rng.sample(codes["themes"], rng.randint(1, 3))
    if lap and rng.random() < 0.3:
        themes = sorted({*themes, rng.choice(codes["themes"])})
    row["themes"] = "|".join(themes)
    row["statut"] = rng.choice(STATUSES)
    row["stade"] = rng.choice(STAGES)
    row["echelle"] = rng.choice(SCALES)
    row["annee"] = str(rng.randint(1985, 2026)) if rng.random() < 0.7 else ""
    row["publics"] = "|".join(rng.sample(codes["publics"], rng.randint(0, 2)))
    row["methodes"] = "|".join(rng.sample(codes["methods"], rng.randint(0, 2)))
    row["lat"], row["lon"] = record["lat"], record["lon"]
    if lap and record["lat"] != "":
        row["lat"] = round(record["lat"] + rng.uniform(-0.05, 0.05), 5)
        row["lon"] = round(record["lon"] + rng.uniform(-0.05, 0.05), 5)
    return row


def write_partner_file(path: Path, *, start: int, count: int, seeds, seed: int) -> None:
    codes = taxonomy_codes()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        for index in range(start, start + count):
            writer.writerow(partner_row(index, seeds, codes, seed))


def vocabulary(seeds: list[dict], *, words: int = 24, phrases: int = 8) -> list[str]:
    """What visitors would type: the most frequent words of the real projects' names,
    tags and summaries (in their usual spelling), and their most frequent
    several-word tags."""
    from core.text import fold

    counts: Counter = Counter()
    spellings: dict[str, Counter] = {}
    tags: Counter = Counter()
    for record in seeds:
        text = f"{record['nom']} {record['tags']} {record['resume']}".lower()
        for word in re.findall(r"[^\W\d_][\w'-]{4,}", text):
            word = word.strip("-'").split("'")[-1]
            key = fold(word)
            if len(key) < 5 or key in STOPWORDS or key in NOT_WORDS:
                continue
            counts[key] += 1
            spellings.setdefault(key, Counter())[word] += 1
        for tag in record["tags"].split(","):
            tag = tag.strip().lower()
            if " " in tag and len(tag) <= 30:
                tags[tag] += 1
    chosen = [spellings[key].most_common(1)[0][0] for key, _ in counts.most_common(words)]
    return chosen + [tag for tag, _ in tags.most_common(phrases)]
