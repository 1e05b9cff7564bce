"""The engine's settings: read from the environment, checked at start-up, one
French line naming the variable at fault. And the engine's French analysis."""

from __future__ import annotations

import pytest

from core.env import ConfigurationError, SearchEngineSettings, search_engine_settings

VARIABLES = (
    "ELASTICSEARCH_URL",
    "SEARCH_ENGINE",
    "SEARCH_USERNAME",
    "SEARCH_PASSWORD",
    "SEARCH_API_KEY",
    "SEARCH_CA_CERTS",
    "SEARCH_INDEX_SHARDS",
    "SEARCH_INDEX_REPLICAS",
    "SEARCH_TIMEOUT",
)


@pytest.fixture
def env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        return search_engine_settings()

    return set_env


def test_no_url_means_the_database_backend(env):
    assert env() is None


def test_a_url_list_with_credentials_in_it(env, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    config = env(
        ELASTICSEARCH_URL="https://carrefour:s%40cret@es1.example.org:9200, https://es2.example.org",
        SEARCH_CA_CERTS=str(ca),
        SEARCH_INDEX_SHARDS="2",
        SEARCH_INDEX_REPLICAS="2",
    )
    assert config == SearchEngineSettings(
        urls=("https://es1.example.org:9200", "https://es2.example.org"),
        username="carrefour",
        password="s@cret",
        ca_certs=str(ca),
        shards=2,
        replicas=2,
    )


def test_defaults_one_shard_one_replica_auto_detection(env):
    config = env(ELASTICSEARCH_URL="http://127.0.0.1:9201")
    assert (config.shards, config.replicas, config.engine) == (1, 1, "auto")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"ELASTICSEARCH_URL": "ftp://x"}, "ELASTICSEARCH_URL est mal formée"),
        ({"ELASTICSEARCH_URL": "http://x:9200/index"}, "a un chemin"),
        ({"ELASTICSEARCH_URL": "http://a:b@x,http://c:d@y"}, "identifiants différents"),
        ({"SEARCH_ENGINE": "solr"}, "SEARCH_ENGINE doit valoir"),
        ({"SEARCH_USERNAME": "carrefour"}, "vont ensemble"),
        (
            {"SEARCH_API_KEY": "k", "SEARCH_USERNAME": "u", "SEARCH_PASSWORD": "p"},
            "s'excluent",
        ),
        ({"SEARCH_CA_CERTS": "/nulle/part.pem"}, "SEARCH_CA_CERTS : fichier introuvable"),
        ({"SEARCH_INDEX_SHARDS": "0"}, "SEARCH_INDEX_SHARDS doit être supérieur"),
        ({"SEARCH_INDEX_REPLICAS": "un"}, "SEARCH_INDEX_REPLICAS doit être un nombre entier"),
    ],
)
def test_bad_values_fail_with_one_line_naming_the_variable(env, values, expected):
    with pytest.raises(ConfigurationError) as caught:
        env(**{"ELASTICSEARCH_URL": "http://127.0.0.1:9201", **values})
    message = str(caught.value)
    assert expected in message and "\n" not in message


@pytest.mark.elasticsearch
def test_french_analysis_on_the_engine(engine):
    engine.index([])  # bootstraps the index and its analysers
    engine._ensure()

    def tokens(text):
        return engine.engine.analyze(index=engine.alias, analyzer="carrefour_french", text=text)

    # Elision with the typographic apostrophe too; accents and case folded.
    assert tokens("L’Économie d’insertion") == tokens("l'economie d'insertion")
    assert tokens("Économie") == ["econom"]
    # « sans », « mais », « plus » are neither stop words nor stemmed.
    assert tokens("sans abri, mais plus") == ["sans", "abri", "mais", "plus"]
    # Singular and plural meet.
    assert tokens("jardins partagés") == tokens("jardin partagé")
