"""Helpers of benchmarks/faults.py: HTTP and websocket clients that record what users
see, the Django-side checks run in a subprocess, one module per scenario."""
