"""Reads: lookup."""
