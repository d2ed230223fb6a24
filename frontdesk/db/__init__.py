"""Storage: SQLAlchemy 2 async Core over SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
