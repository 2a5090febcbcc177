"""Writes: checks."""
