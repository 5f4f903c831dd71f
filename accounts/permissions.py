from functools import wraps

from django.core.exceptions import PermissionDenied

from accounts.selectors import user_has_role


def role_required(*roles: str):
    """Refuse (403) a signed-in user who holds none of `roles`. Use after login_required."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_has_role(user=request.user, roles=roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
