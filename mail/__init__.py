"""E-mail to visitors (the online channel): a durable outbox written in the same transaction as the change that
sends it, rendered then in the visitor's language (Indonesian or English), and a worker that hands each
message to the SMTP server of config.toml [mail] once, in order, retrying with backoff.

- outbox.py: queuing a message (and its PDF attachments) for a request's step; the messages of each step;
- smtp.py: building the MIME message and sending it;
- worker.py: the worker (a thread of every server process, or `manage.py mail-worker`), one at a time by lease;
- views.py: the supervisor's outbox page /mail/ (like /printers/ for the print queue): state, retry, decide.
"""


def init_app(app) -> None:
    from mail.commands import register
    from mail.views import bp

    app.register_blueprint(bp)
    register(app)
