"""Websocket routes of every app, gathered here; each app owns its own `routing.py`.

No app serves websockets yet: the communities issue adds its channels here. Until
then the router closes every websocket handshake (Channels' URLRouter answers an
unknown path by closing the connection).
"""

websocket_urlpatterns: list = []
