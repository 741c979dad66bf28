"""The PostgreSQL + pgvector store (psycopg is imported only when it is used)."""
