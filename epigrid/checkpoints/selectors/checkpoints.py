"""Reads: checkpoints."""
