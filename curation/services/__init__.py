"""Curation's writes: territory portraits (portraits.py)."""
