"""The rules of the counter: plain modules that take a database session and import no Flask."""
