"""Writes: selffill."""
