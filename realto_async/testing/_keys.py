"""Keys of the emulator's state in the aiohttp application."""

from typing import Any

from aiohttp import web

SERVER_KEY: web.AppKey[Any] = web.AppKey("realto.server")
