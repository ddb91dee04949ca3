"""Kasane ETL: jobs that read public data files and load them into PostGIS layers."""
