"""Persistence: tables mapped onto the domain entities, repositories and the unit of work."""
