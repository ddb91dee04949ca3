"""Transit planning on GTFS/GTFS-JP feeds: service on a date, coverage, blank areas, drafts.

- :mod:`gis.transit.request` — what a planner asks (municipality, date, filters, radii);
- :mod:`gis.transit.service` — departures per stop and trips per route on a service date;
- :mod:`gis.transit.coverage` — stop coverage, population reached and transit-blank areas;
- :mod:`gis.transit.drafts` — draft routes: their gains, saved per organisation.
"""
