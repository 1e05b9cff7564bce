"""The websocket side of channels (protocol v1, docs/realtime.md): frames, the
doorbell rung after each commit, and the consumer served at ``/ws/``."""
