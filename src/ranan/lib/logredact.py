"""A logging filter that keeps query strings out of the logs (issue 16): a searched phone or ID
number is personal data. Configured in settings.LOGGING (loaded before the apps: no model
imports here)."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"']*")


class RedactQueryString(logging.Filter):
    """Drop the query string from logged request lines and paths (django.server,
    django.request, gunicorn's error log): a searched phone or ID number is personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY.sub("?…", record.msg)
        if record.args:
            if isinstance(record.args, tuple):
                record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a
                                    for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: _QUERY.sub("?…", v) if isinstance(v, str) else v
                               for k, v in record.args.items()}
        return True
