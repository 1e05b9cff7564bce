"""/communautes/invitation/<token>/: the page an invitation e-mail links to.

How an invitation survives sign-up (issue 12). A visitor without an account opens
the link: the page keeps the token in the session (``SESSION_KEY``), tells allauth
that the invited address is verified (``stash_verified_email``: signing up with it
needs no confirmation e-mail, and ``invitation_accept`` then finds it verified), and
links to « Créer un compte » / « Se connecter » with ``?next=`` back to this page.
allauth carries ``next`` through sign-up, login and the e-mail confirmation of the
same browser session (its stashed login keeps the redirect).

One hook makes good what ``next`` can lose (a person who signs in from the header
rather than from the page's links, or whose confirmation drops the redirect): on
every allauth login, ``resume_invitation`` (a receiver of allauth's
``user_logged_in``, which is sent with the response about to be returned) sends the
person to the invitation page if the session still holds a pending token. The token
is used once: it leaves the session at that login. The person then accepts with
the charter ticked, or declines.

The receiver is connected when this module is imported, that is when the URLconf
loads (on the first request, before any login can happen).
"""

from __future__ import annotations

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import CharterForm
from ..models import CommunityInvitation, Visibility
from ..paths import invitation_path
from ..permissions import verified_emails
from ..selectors import invitation_pending_by_token
from ._common import Refusal, mask_email, refusal_text

SESSION_KEY = "communities_invitation_token"


def _wrong_address(invitation: CommunityInvitation) -> str:
    return _(
        "Cette invitation est adressée à %(email)s, qui n'est pas une adresse vérifiée de "
        "votre compte. Connectez-vous avec le compte de cette adresse, ou ajoutez-la et "
        "confirmez-la dans « Mes adresses e-mail »."
    ) % {"email": mask_email(invitation.email)}


def _unavailable(request: HttpRequest, *, expired: bool, invitation=None) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "communities/invitation.html",
        {"invitation": invitation, "expired": expired, "unavailable": True},
        status=410 if expired else 404,
    )


@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitation_pending_by_token(token=token)
    if invitation is None:
        return _unavailable(request, expired=False)
    if invitation.is_expired():
        return _unavailable(request, expired=True, invitation=invitation)
    community = invitation.community
    user = request.user
    context = {
        "invitation": invitation,
        "community": community,
        "masked_email": mask_email(invitation.email),
        "here": invitation_path(token),
    }
    if not user.is_authenticated:
        request.session[SESSION_KEY] = token
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, "communities/invitation.html", context)

    form = CharterForm(request.POST if request.method == "POST" else None, community=community)
    wrong_address = invitation.email.lower() not in verified_emails(user)
    if request.method == "POST":
        if "decline" in request.POST:
            return _decline(request, invitation)
        if form.is_valid():
            try:
                services.invitation_accept(
                    token=token, user=user, charter_accepted=form.charter_accepted
                )
            except Refusal as exc:
                if getattr(exc, "code", None) == "wrong_email":
                    form.add_error(None, _wrong_address(invitation))
                else:
                    form.add_error(None, refusal_text(exc))
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(
                    request,
                    _("Bienvenue dans la communauté « %(name)s » !") % {"name": community.name},
                )
                return redirect("communities:detail", slug=community.slug)
    context.update(form=form, wrong_address=_wrong_address(invitation) if wrong_address else "")
    return render(request, "communities/invitation.html", context)


def _decline(request: HttpRequest, invitation: CommunityInvitation) -> HttpResponse:
    community = invitation.community
    try:
        services.invitation_decline(token=invitation.token, user=request.user)
    except Refusal as exc:
        if getattr(exc, "code", None) == "wrong_email":
            messages.error(request, _wrong_address(invitation))
        else:
            messages.error(request, refusal_text(exc))
        return redirect(invitation_path(invitation.token))
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("Vous avez décliné l'invitation à rejoindre « %(name)s ».") % {"name": community.name},
    )
    if community.visibility == Visibility.SECRET:
        return redirect("communities:mine")
    return redirect("communities:detail", slug=community.slug)


@receiver(account_signals.user_logged_in, dispatch_uid="communities.resume_invitation")
def resume_invitation(sender, request=None, response=None, **kwargs) -> None:
    """After an allauth login, go on to the pending invitation of the session."""
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(SESSION_KEY, None)
    if not token or not isinstance(response, HttpResponseRedirect):
        return
    invitation = invitation_pending_by_token(token=token)
    if invitation is None or invitation.is_expired():
        return
    response["Location"] = invitation_path(token)
