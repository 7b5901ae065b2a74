from pmf.registry import NAVIGATION


def _matches(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def navigation(request):
    """The main navigation for the signed-in user. One entry at most is current: the one whose
    address is the longest start of the page's (Monthly update at /indicators/update/ is inside
    Indicators at /indicators/, but only Monthly update is the page being shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    visible = [item for item in NAVIGATION if item.visible(user)]
    current_url = max((item.url for item in visible if _matches(request.path, item.url)), key=len, default=None)
    return {
        "nav_items": [{"label": item.label, "url": item.url, "current": item.url == current_url} for item in visible]
    }
