"""Loket's command line: `python manage.py --help`."""

import click
from flask.cli import FlaskGroup

from app import create_app
from settings import ConfigError


def _create_app():
    try:
        return create_app()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


cli = FlaskGroup(create_app=_create_app, add_default_commands=False)

if __name__ == "__main__":
    cli()
