"""Selections: ordered picks with dates, shown only while current and only when the
viewer may see their target (the search adapters decide)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from curation.models import Selection, SelectionItem
from curation.selectors.picks import selection_picks

pytestmark = pytest.mark.django_db


def _in(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def two_projects(make_project):
    return (
        make_project(title="Le Bus des droits"),
        make_project(title="La Recyclerie du Val"),
    )


def _selection(*targets, **dates) -> Selection:
    selection = Selection.objects.create(name="À la une", **dates)
    for order, (target, reason, item_dates) in enumerate(targets):
        SelectionItem.objects.create(
            selection=selection, page=target, reason=reason, sort_order=order, **item_dates
        )
    return selection


def test_picks_keep_their_order_and_reason(two_projects):
    first, second = two_projects
    selection = _selection((second, "Réemploi et insertion", {}), (first, "Aller-vers", {}))
    picks = selection_picks(selection=selection, user=AnonymousUser())
    assert [(p.title, p.reason) for p in picks] == [
        ("La Recyclerie du Val", "Réemploi et insertion"),
        ("Le Bus des droits", "Aller-vers"),
    ]
    assert picks[0].url == second.url and picks[0].kind == "project"


def test_an_expired_pick_disappears_by_itself(two_projects):
    first, second = two_projects
    selection = _selection(
        (first, "", {"ends_at": _in(1)}),
        (second, "", {"starts_at": _in(-2), "ends_at": _in(-1)}),
    )
    now = timezone.now()
    assert [
        p.title for p in selection_picks(selection=selection, user=AnonymousUser(), now=now)
    ] == ["Le Bus des droits"]
    # The day after tomorrow, nobody touched it: the first one has expired too.
    later = now + datetime.timedelta(days=2)
    assert selection_picks(selection=selection, user=AnonymousUser(), now=later) == []


def test_a_pick_scheduled_for_later_waits(two_projects):
    first, _second = two_projects
    selection = _selection((first, "", {"starts_at": _in(1)}))
    assert selection_picks(selection=selection, user=AnonymousUser()) == []
    assert selection_picks(selection=selection, user=AnonymousUser(), now=_in(1.5))


def test_the_selection_dates_bound_every_pick(two_projects):
    first, _second = two_projects
    selection = _selection((first, "", {}), ends_at=_in(-0.01))
    assert selection_picks(selection=selection, user=AnonymousUser()) == []


def test_an_unpublished_or_restricted_page_stops_showing(two_projects, restrict, user):
    first, second = two_projects
    selection = _selection((first, "", {}), (second, "", {}))
    first.unpublish()
    restrict(second)
    assert selection_picks(selection=selection, user=AnonymousUser()) == []
    # The restricted one (« connectés ») shows to a signed-in member, the draft to nobody.
    assert [p.title for p in selection_picks(selection=selection, user=user)] == [
        "La Recyclerie du Val"
    ]


def test_a_community_pick_follows_the_community_visibility(user):
    from tests.factories import CommunityFactory, MembershipFactory

    open_one = CommunityFactory(name="Numérique inclusif")
    secret = CommunityFactory(name="Cercle des financeurs", visibility="secret")
    selection = Selection.objects.create(name="Communautés")
    for order, community in enumerate([secret, open_one]):
        SelectionItem.objects.create(selection=selection, community=community, sort_order=order)
    assert [p.title for p in selection_picks(selection=selection, user=AnonymousUser())] == [
        "Numérique inclusif"
    ]
    assert [p.kind for p in selection_picks(selection=selection, user=user)] == ["community"]
    MembershipFactory(community=secret, user=user)
    assert [p.title for p in selection_picks(selection=selection, user=user)] == [
        "Cercle des financeurs",
        "Numérique inclusif",
    ]


def test_an_item_names_one_target_exactly():
    from django.core.exceptions import ValidationError

    selection = Selection.objects.create(name="Vide")
    item = SelectionItem(selection=selection, reason="rien")
    with pytest.raises(ValidationError, match="une page ou une communauté"):
        item.clean()


def test_end_before_start_is_refused():
    from django.core.exceptions import ValidationError

    selection = Selection(name="À l'envers", starts_at=_in(2), ends_at=_in(1))
    with pytest.raises(ValidationError) as error:
        selection.clean()
    assert "après la date de début" in str(error.value)


def test_a_selection_tied_to_a_query_leads_its_results(client, two_projects, indexed, restrict):
    from tests.factories import CommunityFactory

    first, second = two_projects
    community = CommunityFactory(name="Tiers-lieux de France")
    selection = Selection.objects.create(name="Tiers-lieux", search_queries="Tiers lieux, ruralité")
    SelectionItem.objects.create(selection=selection, page=first, reason="Le modèle", sort_order=0)
    SelectionItem.objects.create(selection=selection, page=second, sort_order=1)
    SelectionItem.objects.create(selection=selection, community=community, sort_order=2)
    restrict(second)
    indexed()
    response = client.get("/api/v1/search", {"q": "tiers-lieux"})
    promoted = [hit["title"] for hit in response.json()["promoted"]]
    assert promoted == ["Le Bus des droits", "Tiers-lieux de France"]  # not the restricted one
    html = client.get("/recherche/", {"q": "ruralité"}).content.decode()
    assert "Sélection de la rédaction" in html and "Le modèle" in html
    # Expired: no longer promoted.
    Selection.objects.filter(pk=selection.pk).update(ends_at=_in(-1))
    assert client.get("/api/v1/search", {"q": "tiers-lieux"}).json()["promoted"] == []
