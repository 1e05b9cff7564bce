"""The production server's worker class: gunicorn runs several uvicorn worker
processes (``make serve``, docs/deploiement.md), each serving HTTP and websockets.

Why gunicorn + uvicorn rather than several daphne processes: one listening socket
shared by the workers (the kernel spreads connections, no proxy needed to balance
them), gunicorn restarts a worker that dies, and stops them gracefully on SIGTERM
(in-flight requests finish, websockets close with 1001 « going away »: clients
reconnect to another worker and catch up from their last seen id).
"""

from uvicorn_worker import UvicornWorker


class CarrefourWorker(UvicornWorker):
    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": "httptools",
        # websockets' Sans-I/O implementation: at 1,000 readers it costs less per
        # delivered frame than the legacy one (benchmarks/realtime.py: p95 83 ms
        # against 102 ms, workers' CPU 52 % against 59 %, 57 kB against 65 kB a
        # connection).
        "ws": "websockets-sansio",
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
        "proxy_headers": True,
    }
