"""Websocket routes of every app, gathered here; each app owns its own `routing.py`.

Today only the communities serve one: ``/ws/`` (channels and direct messages,
protocol v1 in docs/realtime.md). An unknown path is closed by Channels' URLRouter.
"""

from communities.routing import websocket_urlpatterns as communities_websockets

websocket_urlpatterns: list = [*communities_websockets]
