"""ASGI entry point: HTTP through Django, websockets through Channels, on one port.

The documented order: `get_asgi_application()` first (it sets Django up), then
anything that imports models (websocket routes).
"""

import os

from cms.bootstrap import load_settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
load_settings_or_exit()

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from cms.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
