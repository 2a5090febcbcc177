"""Reads: checks."""
