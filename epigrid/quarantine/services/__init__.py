"""Writes of home quarantine, one module per part: cases, follow-ups, escalation,
assistance and care, self-report links."""
