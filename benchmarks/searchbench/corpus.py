"""The corpus every backend indexes: the same documents, in the same order, for a
given count and seed.

Projects are built from real partner data (../shared/data: 700 local initiatives of
the precursor of Transiscope, 1 400 digital-inclusion places), resampled with varied
titles, themes, territories and points up to the requested number; without that
folder, from the demo projects.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
QUALIFIERS = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coop"]


def seed_records() -> tuple[list[dict], str]:
    """Real records (title, text, tags, point), and where they come from."""
    elements = SHARED / "alternatives-pwa" / "elements.json"
    records = []
    if elements.exists():
        for item in json.loads(elements.read_text(encoding="utf-8")):
            records.append(
                {
                    "title": item.get("Name") or "",
                    "text": item.get("abstract") or "",
                    "tags": [t.strip() for t in (item.get("tags") or "").split(",") if t.strip()],
                    "point": (item.get("lat"), item.get("long")),
                }
            )
        for path in sorted((SHARED / "partners-mednum").glob("*/*.json")):
            if path.name.endswith(".config.json"):
                continue
            for item in json.loads(path.read_text(encoding="utf-8")):
                values = [v for v in item.values() if isinstance(v, str)]
                title = max(values[:6], key=len, default="")
                records.append(
                    {
                        "title": title[:120],
                        "text": " ".join(v for v in values if len(v) > 40)[:2000],
                        "tags": ["inclusion numérique", "médiation numérique"],
                        "point": (None, None),
                    }
                )
        return [r for r in records if r["title"]], "données partenaires réelles (../shared/data)"
    demo = json.loads((ROOT / "innovations/demo/projects.json").read_text(encoding="utf-8"))
    for item in demo:
        location = item["locations"][0]
        records.append(
            {
                "title": item["title"],
                "text": item["summary"],
                "tags": item["tags"],
                "point": (location["latitude"], location["longitude"]),
            }
        )
    return records, "projets de démonstration (../shared/data absent)"


def build_documents(*, count: int, seed: int) -> tuple[list, str]:
    """``count`` SearchDocuments (2 % of them private) and the origin of the data."""
    from search.documents import PUBLIC, SearchDocument

    rng = random.Random(seed)
    taxonomy = json.loads((ROOT / "innovations/data/taxonomy.json").read_text(encoding="utf-8"))
    themes = [
        (d["code"], s["code"], d["label"], s["label"])
        for d in taxonomy["domains"]
        for s in d["subthemes"]
    ]
    publics = [p["code"] for p in taxonomy["publics"]]
    with (ROOT / "innovations/data/territories/departements.csv").open(encoding="utf-8") as fh:
        departements = list(csv.DictReader(fh))
    records, origin = seed_records()
    documents = []
    for index in range(count):
        record = records[index % len(records)]
        dep = departements[rng.randrange(len(departements))]
        chosen = rng.sample(themes, rng.randint(1, 3))
        labels = sorted({c[2] for c in chosen} | {c[3] for c in chosen})
        lat, lon = record["point"]
        if lat in (None, "") or lon in (None, "") or index >= len(records):
            lat = float(dep["latitude"]) + rng.uniform(-0.3, 0.3)
            lon = float(dep["longitude"]) + rng.uniform(-0.3, 0.3)
        documents.append(
            SearchDocument(
                kind="project",
                object_id=str(index + 1),
                url=f"/projets/p{index + 1}/",
                title=f"{record['title']} {rng.choice(QUALIFIERS)}".strip(),
                summary=record["text"][:280],
                body=record["text"],
                keywords=[*labels, dep["name"], *record["tags"][:5]],
                # The facets projects declare (innovations/search_facets.py).
                facets={
                    "domain": sorted({c[0] for c in chosen}),
                    "theme": [c[1] for c in chosen],
                    "public": rng.sample(publics, rng.randint(1, 2)),
                    "stage": [
                        rng.choice(["idee", "experimentation", "consolidation", "essaimage"])
                    ],
                    "structure": [
                        rng.choice(["association", "cooperative", "entreprise-ess", "fondation"])
                    ],
                    "source": [f"partenaire-{rng.randrange(50)}"],
                    "scale": [rng.choice(["commune", "departement", "region"])],
                    "year": [str(rng.randint(1990, 2026))],
                    "departement": [dep["code"]],
                    "region": [dep["region_code"]],
                },
                display={"labels": labels, "places": [dep["name"]], "tags": record["tags"][:5]},
                points=[(float(lat), float(lon))],
                visibility=[PUBLIC] if rng.random() > 0.02 else [f"user:{rng.randint(1, 500)}"],
            )
        )
    return documents, origin
