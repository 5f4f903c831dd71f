"""Forms of the registry's own pages: registration steps and a registrant's record."""
