"""How django-axes names a client in its log lines (settings.AXES_CLIENT_STR_CALLABLE).

Its default names the username and the address. Logs hold neither: a short keyed digest
of the pair lets an operator see that failures repeat for one client, and the lockout
records themselves (with username and address) are in /admin/axes/ for administrators.
"""

import hashlib
import hmac

from django.conf import settings


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    key = settings.SECRET_KEY.encode()
    pair = f"{username or ''}\0{ip_address or ''}".encode()
    digest = hmac.new(key, pair, hashlib.sha256).hexdigest()[:12]
    return f"client {digest} at {path_info}"
