"""The static emergency edition of the residents' hazard map (``kasane export static``): the
page in every language, its assets and data as plain files any web server or CDN can serve
with no Kasane and no database behind it. See docs/disaster-day.md."""
