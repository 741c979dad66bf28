"""Where index builds live: the Protocols in base.py, the disk store (default) and PostgreSQL."""
