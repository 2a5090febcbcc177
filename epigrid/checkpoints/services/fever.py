"""Writes: fever."""
