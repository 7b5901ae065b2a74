"""Concurrent edits: the one error a service raises when someone else saved the same record after
the editor opened it, and the one way a view reports it."""

from django.shortcuts import render


class EditConflict(Exception):
    """Someone else saved INSTANCE after the form was opened; nothing of this save was written.

    MESSAGE says what changed and what to do (reload, check their change, save again)."""

    def __init__(self, message: str, *, instance=None):
        super().__init__(message)
        self.message = message
        self.instance = instance


def render_conflict(request, template_name: str, context: dict, conflict: EditConflict, *, form=None):
    """The page of the refused save again, with the conflict's message, answered with 409.

    With FORM the message is shown as the form's error (above its fields) and what the person typed
    is kept; without one the page shows it as `conflict` (pages whose only input is a button)."""
    if form is not None:
        form.add_error(None, conflict.message)
    return render(request, template_name, {**context, "conflict": conflict.message}, status=409)
