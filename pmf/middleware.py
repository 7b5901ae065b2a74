"""Request rules that hold for every page, whatever form or view handles it."""

from django.shortcuts import render

# Features the product never uses: a page (or anything injected into one) may not ask for them.
# Only features Chromium recognises (an unknown one is reported as an error in the console).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def nul_field(request) -> str | None:
    """The name of the first query or form field whose name or value holds a NUL character.

    PostgreSQL cannot store NUL in text, and no person types one, so such a request is refused
    before any form or view sees it; uploaded files are not text fields and are left to their
    imports."""
    for data in (request.GET, request.POST):
        for name, values in data.lists():
            if "\x00" in name:
                return name.replace("\x00", "")
            if any("\x00" in value for value in values):
                return name
    return None


class RefuseNulMiddleware:
    """Answers 400, naming the field, when a query string or form carries a NUL character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is not None:
            message = f"The field “{field}” contains a NUL character, which no text may hold. Remove it and try again."
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every answer; `Cache-Control: private, no-store` on every answer to a
    signed-in person (their pages and exports carry personal data), unless the view chose its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
