"""The production server's worker class: gunicorn runs several uvicorn worker
processes (``make serve``, docs/deploiement.md), each serving HTTP and websockets.

Why gunicorn + uvicorn rather than several daphne processes: one listening socket
shared by the workers (the kernel spreads connections, no proxy needed to balance
them), gunicorn restarts a worker that dies, and stops them gracefully on SIGTERM
(in-flight requests finish, websockets close with 1001 « going away »: clients
reconnect to another worker and catch up from their last seen id).
"""

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn_worker import UvicornWorker

GOING_AWAY = 1001
# Seconds a connection accepted just before a graceful stop has to send its request.
FRESH_CONNECTION_GRACE = 1.0


class GracefulHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, except on a graceful stop (SIGTERM, or SIGHUP's
    rolling restart): uvicorn closes every connection without a request in progress,
    including one the kernel handed it a moment ago whose request bytes are on the
    way — that client gets « connection reset » (seen under load in
    tests/serving/test_make_serve.py). Such a connection gets FRESH_CONNECTION_GRACE
    to send its request, which is then served and closed; connections already used
    (keep-alive, idle after a response) are closed at once as before."""

    _stopping = False

    def shutdown(self) -> None:
        if self.cycle is None and not self._stopping and not self.transport.is_closing():
            self._stopping = True
            self.loop.call_later(FRESH_CONNECTION_GRACE, self._shutdown_now)
            return
        super().shutdown()

    def _shutdown_now(self) -> None:
        if not self.transport.is_closing():
            super().shutdown()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self._stopping and self.cycle is not None:
            self.cycle.keep_alive = False  # served, then closed


class GoingAwayWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn closes open websockets with 1012 (« service restart ») when the
    server stops; RFC 6455 names 1001 « going away » for a server going down, which
    is what the chat's clients read as « reconnect now, elsewhere, and catch up »
    (static/js/chat.js). The rest is uvicorn's websockets Sans-I/O protocol."""

    def shutdown(self) -> None:
        if not self.close_sent and self.handshake_complete and self.initial_response is None:
            self.stop_keepalive()
            self.queue.put_nowait({"type": "websocket.disconnect", "code": GOING_AWAY})
            self.conn.send_close(GOING_AWAY, "Le serveur redémarre : reconnexion.")
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()
            return
        super().shutdown()


class CarrefourWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": GracefulHttpToolsProtocol,
        # websockets' Sans-I/O implementation: at 1,000 readers it costs less per
        # delivered frame than the legacy one (benchmarks/realtime.py: p95 83 ms
        # against 102 ms, workers' CPU 52 % against 59 %, 57 kB against 65 kB a
        # connection).
        "ws": GoingAwayWebSocketProtocol,
        # The protocol refuses frames over 64 kB with an error frame (socket open);
        # beyond 1 MiB the server closes the connection (1009) before reading it.
        "ws_max_size": 1024 * 1024,
        # No permessage-deflate: chat frames are small (a few hundred bytes, little
        # to gain) and compressing each one for each reader is what costs most per
        # delivery, with a zlib context of some 100 kB kept per connection
        # (benchmarks/realtime.py, both ways side by side with --deflate).
        "ws_per_message_deflate": False,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "lifespan": "off",
        # The client's address is read in one place, core/client_ip.py, from
        # TRUSTED_PROXY_COUNT; the scheme from X-Forwarded-Proto by Django
        # (SECURE_PROXY_SSL_HEADER). uvicorn's rewriting of the client from
        # X-Forwarded-For would be a second, different rule.
        "proxy_headers": False,
    }


def main(argv: list[str] | None = None) -> None:
    """``make run``: one uvicorn process with the same protocols as the workers of
    ``make serve`` (``python -m cms.serving --host … --port …``). On SIGTERM it
    finishes in-flight requests, closes websockets with 1001 and exits 0."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Serveur ASGI du Carrefour (un processus).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    options = dict(CarrefourWorker.CONFIG_KWARGS)
    uvicorn.run(
        "cms.asgi:application",
        host=args.host,
        port=args.port,
        access_log=False,  # cms/request_log.py writes one JSON line per request
        timeout_graceful_shutdown=20,
        **options,
    )


if __name__ == "__main__":
    main()
