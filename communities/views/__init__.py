"""Public pages of communities: one module per screen (directory, community,
members, events, invitation, mine, propose). Views parse, call a selector or a
service, render; visibility is decided by ``communities.permissions`` through the
selectors (None → 404), buttons by ``communities.rules.allowed``."""
