"""Channels in a real browser (issue 13, « Done when »): two members of a community
talk in « général », each in their own browser (their own session, their own
websocket), against ``cms.asgi.application`` served by uvicorn (tests/e2e/asgi_server.py:
Django's live server has no websockets).

- Lina writes, Hugo reads it without reloading, and Lina sees it once;
- Hugo's connection is cut (the browser goes offline): his page says « hors ligne »,
  Lina writes three messages, Hugo comes back and gets exactly those three, once;
  then the server's side of his connection closes and refuses him a while: the same;
  a message Hugo sends while the connection is half dead waits « envoi… », then is
  stored and shown once after the reconnection (sent again if it had not arrived);
- Hugo reports one of them, a moderator hides it from the moderation queue: it goes
  from both pages at once;
- Lina mentions Hugo in the channel (with the « @ » completion) and writes to him
  directly: both reach his notifications centre (and his tab, as ``notification``
  frames);
- the channel page passes axe-core (WCAG 2.1 AA) and is usable with the keyboard;
- without JavaScript the page shows the history and its plain form posts (and the
  people connected see that message live).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from communities.models import Channel, ChannelKind, Message, MessageReport
from tests.chat.conftest import person
from tests.communities.conftest import add_member
from tests.e2e.asgi_server import asgi_server_fixture, people_fixture  # noqa: F401 — fixtures
from tests.e2e.channel_pages import (
    OFFLINE,
    Frames,
    account_link,
    assert_same_page,
    channel_url,
    composer,
    mark_page,
    message,
    message_node,
    messages,
    report,
    say,
    shown_ids,
    shown_texts,
    status,
    wait_live,
)
from tests.e2e.community_pages import Visit
from tests.factories import CommunityFactory

pytestmark = [
    pytest.mark.e2e,
    # serialized_rollback: on PostgreSQL the flush after a transactional test empties
    # the tables the migrations filled (tests/communities/test_concurrency.py).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # WhiteNoise serves the static files with a synchronous iterator, which Django's
    # ASGI handler warns about (production serves them the same way, under uvicorn).
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]

SLUG = "tiers-lieux"
GENERAL = channel_url(SLUG)


class World:
    pass


@pytest.fixture
def tiers_lieux(asgi_server):
    """The demo's shape: a public community, its « général », an owner, a moderator,
    Lina Benali and Hugo Martin (members)."""
    from communities.services import default_channel_ensure

    world = World()
    world.community = CommunityFactory(name="Tiers-lieux ruraux", slug=SLUG)
    world.owner = add_member(world.community, role="owner", user=person("Odile Martin")).user
    world.moderator = add_member(
        world.community, role="moderator", user=person("Marc Modérateur")
    ).user
    world.lina = add_member(world.community, user=person("Lina Benali")).user
    world.hugo = add_member(world.community, user=person("Hugo Martin")).user
    world.general = default_channel_ensure(community=world.community)
    return world


HISTORY = [
    ("lina", "Qui a les clés de la salle pour jeudi ?"),
    ("hugo", "Moi, je les dépose à **l'accueil** mercredi soir."),
    ("lina", "Parfait, merci Hugo !"),
]


@pytest.fixture
def with_history(tiers_lieux):
    """« général » with a few messages, written before any browser is open."""
    from communities.services import message_send

    tiers_lieux.history = [
        message_send(
            channel=tiers_lieux.general, author=getattr(tiers_lieux, who), body=body
        ).message.pk
        for who, body in HISTORY
    ]
    return tiers_lieux


def _open_channel(people, user, path: str = GENERAL, *, cuttable: bool = False):
    tab = people.open(user)
    frames = Frames(tab, cuttable=cuttable)
    response = tab.goto(path)
    assert response is not None and response.status == 200, path
    wait_live(tab)
    return tab, frames


# --- a, b, c, d: two members, a cut, a report, a mention and a direct message ---------


def test_two_members_talk_live_catch_up_after_a_cut_and_reach_each_other(tiers_lieux, people, axe):
    world = tiers_lieux
    lina, _ = _open_channel(people, world.lina)
    hugo, hugo_frames = _open_channel(people, world.hugo, cuttable=True)
    mark_page(lina)
    mark_page(hugo)

    # a. Lina writes, presses Enter: Hugo sees it without reloading, Lina sees it once.
    hello = "Bonjour à toutes et à tous, on prépare l'atelier de jeudi ?"
    hello_id = say(lina, hello)
    expect(message_node(hugo, hello_id)).to_contain_text(hello)
    expect(message(hugo, hello)).to_have_count(1)
    expect(message(lina, hello)).to_have_count(1)
    expect(message_node(hugo, hello_id).locator(".chat-message__author")).to_have_text(
        "Lina Benali"
    )
    assert Message.objects.filter(channel=world.general, body=hello).count() == 1

    # b. Hugo's connection drops: his page says so; what Lina writes meanwhile
    # reaches him once he is back, exactly once each, in order. (Chromium's offline
    # mode refuses new connections but leaves an open websocket open: chat.js closes
    # it on the window's « offline » event, which is what is checked here.)
    hugo.context.set_offline(True)
    expect(status(hugo)).to_have_text(OFFLINE)
    assert hugo.evaluate("() => window.Carrefour.chat.socket() === null")
    missed = [
        "Premier message pendant la coupure",
        "Deuxième message pendant la coupure",
        "Troisième message pendant la coupure",
    ]
    missed_ids = [say(lina, text) for text in missed]
    hugo.wait_for_timeout(300)  # waiting for nothing: offline, no frame can arrive
    assert shown_ids(hugo) == [hello_id]
    hugo.context.set_offline(False)
    wait_live(hugo, reconnected=True)
    expect(messages(hugo)).to_have_count(4)
    assert shown_ids(hugo) == [hello_id, *missed_ids]
    assert shown_texts(hugo) == [hello, *missed]
    # The new connection asked for what came after the last message seen: the three
    # missed ones came once each, the one seen before did not come again.
    for missed_id in missed_ids:
        assert len(hugo_frames.of("message", id=missed_id)) == 1, missed_id
    assert len(hugo_frames.of("message", id=hello_id)) == 1
    assert hugo_frames.sockets >= 2  # the replay came on a new connection
    assert shown_ids(lina) == [hello_id, *missed_ids]

    # The server side goes away now (no « offline » event): same again, after the
    # backoff's first refused attempt; the second replay starts after the first.
    hugo_frames.cut()
    expect(status(hugo)).to_have_text(OFFLINE)
    again = ["Quatrième, serveur coupé", "Cinquième, serveur coupé"]
    again_ids = [say(lina, text) for text in again]
    hugo_frames.wait_refused(1)
    assert shown_ids(hugo) == [hello_id, *missed_ids]
    # Hugo writes while offline: the form does not post (the page would be lost), the
    # message waits « envoi… » and leaves with the reconnection, once.
    queued = "Écrit hors ligne, parti au retour."
    composer(hugo).fill(queued)
    composer(hugo).press("Enter")
    expect(hugo.locator("[data-chat-pending]")).to_contain_text(f"envoi… {queued}")
    assert hugo.url.endswith(GENERAL)
    assert not Message.objects.filter(body=queued).exists()
    hugo_frames.restore()
    wait_live(hugo, reconnected=True)
    expect(messages(hugo)).to_have_count(7)
    expect(hugo.locator("[data-chat-pending]")).to_be_hidden()
    assert shown_texts(hugo) == [hello, *missed, *again, queued]
    queued_id = Message.objects.get(channel=world.general, body=queued).pk
    for seen_id in [hello_id, *missed_ids, *again_ids, queued_id]:
        assert len(hugo_frames.of("message", id=seen_id)) == 1, seen_id

    # Hugo writes while the server's answers are lost: his message waits « envoi… »;
    # the server has it (Lina sees it); after the reconnection it is shown once, the
    # replay's frame (with his client id) settles it, nothing is stored twice.
    hugo_frames.deafen()
    pending = hugo.locator("[data-chat-pending]")
    confirm = "Je confirme pour jeudi, j'apporte le café."
    composer(hugo).fill(confirm)
    composer(hugo).press("Enter")
    expect(pending).to_contain_text(f"envoi… {confirm}")
    expect(message(lina, confirm)).to_have_count(1)
    confirm_id = int(message(lina, confirm).get_attribute("data-id"))
    _reconnect(hugo, hugo_frames)
    expect(pending).to_be_hidden()
    expect(message(hugo, confirm)).to_have_count(1)

    # Now lost both ways: the message never reached the server; after the
    # reconnection chat.js sends it again (same client id) and it is stored once.
    hugo_frames.deafen(both_ways=True)
    later = "Et je peux rester pour ranger."
    composer(hugo).fill(later)
    composer(hugo).press("Enter")
    expect(pending).to_contain_text(f"envoi… {later}")
    hugo.wait_for_timeout(300)  # waiting for nothing: the frame is lost on the way
    assert not Message.objects.filter(body=later).exists()
    _reconnect(hugo, hugo_frames)
    expect(pending).to_be_hidden()
    expect(message(hugo, later)).to_have_count(1)
    expect(message(lina, later)).to_have_count(1)
    later_id = int(message(lina, later).get_attribute("data-id"))
    acks = [f for f in hugo_frames.of("ack") if f.get("id") == later_id]
    assert [f.get("duplicate") for f in acks] == [False], acks
    for body in (confirm, later):
        assert Message.objects.filter(channel=world.general, body=body).count() == 1
    assert shown_ids(hugo) == [hello_id, *missed_ids, *again_ids, queued_id, confirm_id, later_id]
    assert shown_ids(lina) == shown_ids(hugo)
    assert_same_page(hugo)
    assert_same_page(lina)

    # c. Hugo reports the second one; a moderator hides it from the queue: it leaves
    # Lina's and Hugo's pages without a reload.
    reported_id = missed_ids[1]
    report(hugo, reported_id, "Ce message n'a rien à faire ici.")
    assert MessageReport.objects.filter(message_id=reported_id, reporter=world.hugo).exists()
    moderator = people.open(world.moderator)
    Visit(moderator, axe)(f"/communautes/{SLUG}/moderation/", context="file de modération")
    item = moderator.locator(f"#signalement-{reported_id}")
    expect(item).to_contain_text("Ce message n'a rien à faire ici.")
    expect(item).to_contain_text(missed[1])
    item.get_by_role("button", name="Masquer ce message").click()
    moderator.wait_for_url(f"**/communautes/{SLUG}/moderation/")
    expect(message_node(hugo, reported_id)).to_have_count(0)
    expect(message_node(lina, reported_id)).to_have_count(0)
    remaining = [
        hello_id,
        missed_ids[0],
        missed_ids[2],
        *again_ids,
        queued_id,
        confirm_id,
        later_id,
    ]
    assert shown_ids(hugo) == remaining
    assert shown_ids(lina) == remaining
    hidden = Message.objects.get(pk=reported_id)
    assert hidden.hidden_at is not None and hidden.hidden_reason == "moderator"
    assert_same_page(hugo)
    assert_same_page(lina)

    # d. Lina mentions Hugo (« @hug » + the completion), then writes to him directly:
    # his tab hears of both (``notification`` frames), his notifications centre and
    # the header's badge list both.
    composer(hugo).scroll_into_view_if_needed()  # Hugo reads at the bottom of the list
    box = composer(lina)
    box.press_sequentially("Tu viens jeudi, @hug")
    expect(lina.get_by_role("option", name="Hugo Martin (@hugo.martin)")).to_be_visible()
    box.press("Enter")  # chooses the person: nothing is sent yet
    expect(box).to_have_value("Tu viens jeudi, @hugo.martin ")
    with hugo_frames.expect("notification", kind="community.chat_mention"):
        box.press("Enter")
    mention = message(lina, "Tu viens jeudi, @hugo.martin")
    expect(mention).to_have_count(1)
    mention_id = int(mention.get_attribute("data-id"))
    expect(message_node(hugo, mention_id).locator(".mention")).to_have_text("@hugo.martin")
    assert list(Message.objects.get(pk=mention_id).mentions.all()) == [world.hugo]

    lina.goto(f"/communautes/{SLUG}/membres/")
    lina.get_by_role("button", name="Écrire un message à Hugo Martin").click()
    lina.wait_for_url("**/messages/*/")
    direct = Channel.objects.get(kind=ChannelKind.DIRECT, members__user=world.hugo)
    assert lina.url.endswith(f"/messages/{direct.pk}/")
    wait_live(lina)
    direct_text = "Hugo, je t'envoie le programme de l'atelier ce soir."
    with hugo_frames.expect("notification", kind="community.chat_direct"):
        direct_id = say(lina, direct_text)
    # His header counted both at once, without a reload.
    expect(account_link(hugo, "Notifications, 2 non lues")).to_be_visible()
    expect(account_link(hugo, "Messages : 1 message non lu")).to_be_visible()

    hugo.goto("/notifications/")
    expect(account_link(hugo, "Notifications, 2 non lues")).to_be_visible()
    expect(account_link(hugo, "Messages : 1 message non lu")).to_be_visible()
    entries = hugo.locator(".notification-list > li")
    expect(entries).to_have_count(2)
    written = entries.filter(has_text="Lina Benali vous a écrit")
    expect(written).to_contain_text(direct_text)
    expect(entries.filter(has_text="Lina Benali vous a mentionné·e dans #général")).to_contain_text(
        "Tu viens jeudi"
    )
    written.get_by_role("link", name="Lina Benali vous a écrit").click()
    hugo.wait_for_url(f"**/messages/{direct.pk}/**")
    expect(message_node(hugo, direct_id)).to_contain_text(direct_text)


def _reconnect(tab, frames: Frames) -> None:
    """The tab's connection is cut and allowed back at once: chat.js reconnects."""
    frames.cut()
    frames.restore()
    expect(status(tab)).to_have_text(OFFLINE)
    wait_live(tab, reconnected=True)


# --- e. accessibility: axe-core, the keyboard ------------------------------------------


def test_the_channel_page_passes_axe_and_is_used_with_the_keyboard(with_history, people, axe):
    hugo, _ = _open_channel(people, with_history.hugo)
    visit = Visit(hugo, axe)
    visit.check("salon « général »")
    visit.check_unfolded("salon « général », actions des messages ouvertes")

    hugo.reload()
    wait_live(hugo)
    box = hugo.get_by_role("textbox", name="Votre message")
    for _step in range(150):
        if box.evaluate("el => el === document.activeElement"):
            break
        hugo.keyboard.press("Tab")
    expect(box).to_be_focused()
    assert composer(hugo).evaluate("el => el === document.activeElement")
    hugo.keyboard.type("Première ligne")
    hugo.keyboard.press("Shift+Enter")
    hugo.keyboard.type("deuxième ligne")
    expect(box).to_have_value("Première ligne\ndeuxième ligne")
    hugo.keyboard.press("Enter")
    expect(box).to_have_value("")
    sent = message(hugo, "Première ligne")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("deuxième ligne")
    expect(box).to_be_focused()
    assert shown_ids(hugo) == [*with_history.history, int(sent.get_attribute("data-id"))]


# --- f. without JavaScript --------------------------------------------------------------


def test_without_javascript_the_page_shows_the_history_and_its_form_posts(with_history, people):
    world = with_history
    hugo, _ = _open_channel(people, world.hugo)
    lina = people.open(world.lina, javascript=False)
    response = lina.goto(GENERAL)
    assert response is not None and response.status == 200
    assert shown_ids(lina) == world.history
    assert shown_texts(lina) == [
        "Qui a les clés de la salle pour jeudi ?",
        "Moi, je les dépose à l'accueil mercredi soir.",
        "Parfait, merci Hugo !",
    ]
    expect(message(lina, "je les dépose").locator("strong")).to_have_text("l'accueil")
    expect(lina.locator("[data-chat-keys]")).to_be_hidden()  # chat.js did not run

    text = "Je n'ai pas JavaScript, mais je serai là jeudi."
    lina.get_by_label("Votre message").fill(text)
    lina.get_by_role("button", name="Envoyer").click()
    lina.wait_for_url(f"**{GENERAL}#message-*")
    stored = Message.objects.get(channel=world.general, body=text)
    assert lina.url.endswith(f"{GENERAL}#message-{stored.pk}")
    assert shown_ids(lina) == [*world.history, stored.pk]
    expect(lina.get_by_label("Votre message")).to_have_value("")
    # Posted without a socket, it still reaches those connected, live.
    expect(message_node(hugo, stored.pk)).to_contain_text(text)
    assert Message.objects.filter(channel=world.general, body=text).count() == 1
