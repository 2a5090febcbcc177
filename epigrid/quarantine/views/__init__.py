"""Pages of home quarantine; each part keeps its views and its URL patterns together."""
