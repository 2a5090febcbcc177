"""Reads of home quarantine, scoped to the actor, one module per part."""
