from accounts.selectors import user_assignments, user_roles


def roles(request):
    """The signed-in user's roles, for navigation in every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "user_assignments": []}
    return {
        "user_roles": user_roles(user=user),
        "user_assignments": list(user_assignments(user=user)),
    }
