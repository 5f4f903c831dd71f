"""Writes to the registry. Import from the submodules: `registry.services.geography`..."""
