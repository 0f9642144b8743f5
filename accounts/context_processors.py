from accounts.selectors import user_roles


def roles(request):
    """`user_roles`: the role values the user holds (for showing menu entries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set()}
    return {"user_roles": {str(role) for role in user_roles(user)} | (
        {"admin"} if user.is_superuser else set())}
