"""manage.py search_evaluate on the demo content: figures per backend, queries whose
projects are absent skipped and counted, evaluation searches kept out of the
analytics, and --corpus without the partner data saying so."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from search.models import SearchQueryDay

pytestmark = pytest.mark.django_db

QUERIES = """
queries:
  - text: "Raccroche-Wagon"
    kind: mots-cles
    variants: ["raccroche wagon"]
    judgments:
      - {project: "Raccroche-Wagon", grade: 3}
  - text: "xyzzy introuvable"
    kind: mots-cles
    variants: ["xyzzy introuvables"]
    judgments:
      - {project: "Raccroche-Wagon", grade: 1}
  - text: "médiation numérique"
    kind: mots-cles
    variants: []
    judgments:
      - {source: gironde, id: "Abracodabra|Bordeaux", grade: 3}
"""


@pytest.fixture
def demo(settings):
    settings.EMBEDDED_DATABASE = True
    settings.ELASTICSEARCH_URL = None
    call_command("setup_carrefour", verbosity=0, stdout=StringIO())
    call_command("search_reindex", verbosity=0, stdout=StringIO())


def _evaluate(tmp_path, *args):
    path = tmp_path / "queries.yaml"
    path.write_text(QUERIES, encoding="utf-8")
    out = StringIO()
    call_command("search_evaluate", "--queries", str(path), *args, stdout=out)
    return out.getvalue()


def test_figures_on_the_demo_content(demo, tmp_path):
    output = _evaluate(tmp_path, "--verbose")
    assert "Moteur : base de données" in output
    assert "1 requêtes ignorées" in output  # the partner project is not in this database
    assert "gironde:Abracodabra|Bordeaux" in output
    assert "Requêtes évaluées : 2" in output
    # Raccroche-Wagon first (nDCG 1, P@5 1/5); nothing for « xyzzy » (nDCG 0, P@5 0).
    assert "« Raccroche-Wagon » [mots-cles] — nDCG@10 1.000, P@5 0.20" in output
    assert "nDCG@10 moyen : 0.500" in output
    assert "P@5 moyenne : 0.100" in output
    assert "Requêtes sans résultat : 50.0%" in output
    assert "Variantes : 2, dont 1 sans résultat des deux côtés" in output
    assert "  1. [3] « Raccroche-Wagon »" in output
    # Evaluation searches are not searches people made: no search statistics.
    assert not SearchQueryDay.objects.exists()


def test_corpus_without_partner_data_builds_the_demo_and_says_why(settings, tmp_path, monkeypatch):
    settings.EMBEDDED_DATABASE = True
    settings.ELASTICSEARCH_URL = None
    monkeypatch.setenv("CARREFOUR_SHARED_DATA", str(tmp_path / "absent"))
    output = _evaluate(tmp_path, "--corpus")
    assert "Données partenaires absentes" in output
    assert "Requêtes évaluées : 2" in output
