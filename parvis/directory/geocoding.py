"""Geocoding providers (address → WGS84 point). Filled in by the directory module."""
