"""Reads for visits: scoped querysets, plan warnings, routes, preparation, team metrics."""
