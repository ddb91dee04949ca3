"""What every part of Kasane stands on: settings, errors, the database and its schema.

Settings from the environment, the error types every layer raises, PostgreSQL connections and
the private cluster, schema migrations, users/tokens/roles and the audit log, strict parsing of
query parameters and the timings of a command. Nothing here knows about layers or users' tasks.
"""
