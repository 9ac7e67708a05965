"""The e-mail tests share the online channel's fixtures (SMTP server, settings pointing at it, uploads)."""

from tests.online.conftest import settings, smtp, smtp_port, uploads_dir  # noqa: F401
