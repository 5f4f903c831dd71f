"""Reads from the registry. Import from the submodules: `registry.selectors.geography`..."""
