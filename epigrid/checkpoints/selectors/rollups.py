"""Reads: rollups."""
