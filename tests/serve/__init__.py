"""Tests of Loket as deployed: several server processes on PostgreSQL and Redis, backups."""
