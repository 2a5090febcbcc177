"""Writes: checkpoints."""
