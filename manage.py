"""Loket's command line: `python manage.py --help`.

`db-upgrade` and `seed-demo`, which ./start.sh runs at every start, first look whether there is anything to
do without building the app (startup.py), so a restart is quick; everything else builds the app.
"""

import sys


def _create_app():
    import click

    from app import create_app
    from settings import ConfigError

    try:
        return create_app()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


def main() -> None:
    """Run a command: the quick path for the start-up commands, else Flask's command line on the app."""
    from startup import quick_command

    if quick_command(sys.argv[1:]):
        return
    from flask.cli import FlaskGroup

    FlaskGroup(create_app=_create_app, add_default_commands=False)()


if __name__ == "__main__":
    main()
