"""The websocket route of the communities: ``/ws/``, one connection per browser tab
(protocol v1, docs/realtime.md)."""

from django.urls import path

from .realtime.consumer import ChatConsumer

websocket_urlpatterns = [path("ws/", ChatConsumer.as_asgi())]
