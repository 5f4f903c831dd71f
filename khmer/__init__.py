"""Khmer text as people type it: Unicode cleaning and Khmer digits. No Django models."""
