"""The JSON API the screens use; its OpenAPI document is served at /api/openapi.json."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from api import views  # noqa: E402,F401
from api import requests  # noqa: E402,F401  (paid-product requests, payments, ratings)
