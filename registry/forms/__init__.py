"""Forms of the registry\x27s own pages: registration steps and a registrant\x27s record."""
