"""What the communities journeys (test_communities_journey.py) do on every page: go
there, check it with axe-core (WCAG 2.1 AA) as it stands, sign in and out, read a JSON
answer with the person's session; and where to look on the communities' pages."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import AXE_PATH, AXE_TAGS

# Wagtail's own rich text editor (Draftail, in the admin's « présentation » field) has
# no accessible name: its <label for> points at the hidden input it replaces
# (wagtail/wagtail#14205, open in Wagtail 8.0); on a phone, axe then also finds its
# scrolling box without a focusable element (the unnamed one is left out). Not ours
# to fix from a template: that box is left out, on admin pages only; its toolbar and
# everything else are checked.
WAGTAIL_KNOWN = [".DraftEditor-root"]


def _axe_excluding(tab, *, exclude: list[str], context: str) -> None:
    """axe-core as the ``axe`` fixture runs it, minus the elements ``exclude`` names."""
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE_PATH.read_text(encoding="utf-8"))
    violations = tab.evaluate(
        "([tags, exclude]) => axe.run({exclude: exclude.map(s => [s])},"
        " {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))",
        [AXE_TAGS, exclude],
    )
    if violations:
        lines = [f"- {v['id']} ({v['help']}) : {', '.join(v['nodes'])}" for v in violations]
        pytest.fail(f"axe-core, WCAG 2.1 AA, {context} :\n" + "\n".join(lines))


class Visit:
    """Goes to pages and checks each one with axe-core as it stands."""

    def __init__(self, page, axe):
        self.page = page
        self.axe = axe  # the fixture: also fails the run when axe-core is missing

    def __call__(self, path: str, *, status: int = 200, context: str = ""):
        response = self.page.goto(path)
        assert response is not None, path
        assert response.status == status, f"{path} : {response.status} au lieu de {status}"
        self.check(context or path)
        return response

    def check(self, context: str = "") -> None:
        self.page.wait_for_load_state()
        # A modal fading in, a list reloading: axe measures contrast on what is drawn
        # (short transitions only: the admin's badges ping for 25 s).
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "() => document.getAnimations().every(a => a.playState !== 'running'"
            " || a.effect.getComputedTiming().endTime > 3000)"
        )
        context = context or self.page.url
        if "/admin/" in self.page.url:
            _axe_excluding(self.page, exclude=WAGTAIL_KNOWN, context=context)
        else:
            self.axe(self.page, context=context)

    def check_unfolded(self, context: str) -> None:
        """The page with every disclosure open (charter, moderators' forms)."""
        self.page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
        self.check(context)

    def login(self, user, password: str) -> None:
        self.page.context.clear_cookies()
        self("/compte/login/")
        self.page.get_by_label("E-mail").fill(user.email)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.get_by_role("button", name="Connexion").click()
        self.page.wait_for_url(lambda url: "/compte/login/" not in url)
        self.check("après la connexion")

    def logout(self) -> None:
        self.page.context.clear_cookies()

    def json(self, path: str, *, status: int = 200, **params) -> dict:
        """A JSON answer with the browser's cookies (the person's session)."""
        response = self.page.request.get(path, params=params or None)
        assert response.status == status, f"{path} : {response.status} au lieu de {status}"
        return response.json()


def section(page, heading_id: str):
    return page.locator(f"section[aria-labelledby={heading_id}]")


def member_row(page, name: str):
    return page.locator(".members-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=name)
    )


def notice(page, text: str):
    return page.locator(".messages > li").filter(has_text=text)
