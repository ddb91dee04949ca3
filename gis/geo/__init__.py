"""Pure geodesy and codes: Japanese CRSs, JIS X 0410 grid squares, local-government codes.

No database, no settings, no I/O: everything here is maths on numbers and strings, so every
other package may use it and it is tested without PostGIS.
"""
