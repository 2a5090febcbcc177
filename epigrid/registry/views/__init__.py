"""The register's pages: persons, housing, arrivals and policy lists, duplicates, exports."""
