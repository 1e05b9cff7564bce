"""The pieces of benchmarks/realtime.py: processes and their CPU and memory (system),
members and sessions (data), the websocket client processes (clients), the senders
and the Redis restart (senders), figures and the table (report)."""
