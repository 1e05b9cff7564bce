"""A person's messages in their personal data (issue 13): the export lists what they
wrote (channel, date, text, earlier versions, deleted ones) and the reports they
made; deleting the account keeps their messages, signed « Compte supprimé », and
takes their name out of the search."""

from __future__ import annotations

import pytest

from accounts.services import account_delete, personal_data_export
from communities.models import Message, MessageReport, Reaction
from communities.services import (
    direct_channel_open,
    message_delete,
    message_edit,
    message_report,
    message_send,
    reaction_toggle,
)
from search.indexing import reindex

pytestmark = pytest.mark.django_db


def say(channel, author, body="Bonjour", **kwargs):
    return message_send(channel=channel, author=author, body=body, **kwargs).message


def chat_export(user) -> dict:
    return personal_data_export(user=user)["communautes"]["discussions"]


def test_the_export_lists_the_persons_messages_with_channel_date_and_text(chat):
    first = say(chat.general, chat.lina, "Bonjour à tous")
    message_edit(message_id=first.pk, actor=chat.lina, body="Bonjour à toutes et à tous")
    gone = say(chat.general, chat.lina, "Oups")
    message_delete(message_id=gone.pk, actor=chat.lina)
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    say(direct, chat.lina, "Jeudi 14 h ?")
    say(chat.general, chat.hugo, "Pas à elle")
    messages = chat_export(chat.lina)["messages"]
    assert [(m["salon"], m["communaute"], m["texte"]) for m in messages] == [
        ("#général", "Tiers-lieux ruraux", "Bonjour à toutes et à tous"),
        ("#général", "Tiers-lieux ruraux", "Oups"),
        ("message direct", None, "Jeudi 14 h ?"),
    ]
    first.refresh_from_db()
    assert messages[0]["date"] == first.created_at.isoformat()
    assert messages[0]["modifie_le"] == first.edited_at.isoformat()
    assert [v["texte"] for v in messages[0]["versions_precedentes"]] == ["Bonjour à tous"]
    assert messages[1]["supprime_le"] is not None and messages[0]["supprime_le"] is None


def test_the_export_lists_the_reports_made_and_the_messaging_choice(chat):
    message = say(chat.general, chat.hugo, "Publicité !")
    message_report(message_id=message.pk, reporter=chat.lina, reason="Spam commercial")
    data = chat_export(chat.lina)
    assert data["signalements"] == [
        {
            "salon": "#général",
            "communaute": "Tiers-lieux ruraux",
            "date": MessageReport.objects.get().created_at.isoformat(),
            "motif": "Spam commercial",
            "decision": "pending",
        }
    ]
    assert data["messages_directs_acceptes"] is True
    # The reported person's export holds their message, not the report on it.
    assert chat_export(chat.hugo)["signalements"] == []


def test_a_deleted_account_leaves_its_messages_signed_compte_supprime(client, chat):
    kept = say(chat.general, chat.lina, "Mon retour d'expérience")
    reply = say(chat.general, chat.hugo, "Merci Lina", reply_to=kept.pk)
    reaction_toggle(message_id=reply.pk, user=chat.lina, emoji="👍")
    message_report(message_id=reply.pk, reporter=chat.lina, reason="Test")
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    say(direct, chat.lina, "À jeudi")
    account_delete(user=chat.lina)
    kept.refresh_from_db()
    assert kept.author is None and kept.body == "Mon retour d'expérience"
    assert Message.objects.get(pk=reply.pk).reply_to_id == kept.pk
    assert not Reaction.objects.exists()
    assert MessageReport.objects.get().reporter is None
    frames = client.get(f"/api/v1/channels/{chat.general.pk}/messages").json()["results"]
    assert frames[0]["author"] == {"id": None, "name": "Compte supprimé"}
    # The other participant still reads the conversation.
    client.force_login(chat.hugo)
    frames = client.get(f"/api/v1/channels/{direct.pk}/messages").json()["results"]
    assert [(m["body"], m["author"]["name"]) for m in frames] == [("À jeudi", "Compte supprimé")]


def test_a_deleted_account_leaves_the_search_without_its_name(
    client, chat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = say(chat.general, chat.lina, "Lombricomposteur collectif")
    reindex(kinds=["message"])

    def summary() -> str:
        response = client.get("/api/v1/search", {"q": "lombricomposteur", "type": "message"})
        hits = response.json()["results"]
        assert [hit["url"] for hit in hits] == [f"/discussions/message/{message.pk}/"]
        return hits[0]["summary"]

    assert "Lina Benali" in summary()
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=chat.lina)
    assert "Lina Benali" not in summary()
