"""Small helpers views share: turning service refusals into form errors, query strings."""

from django.core.exceptions import ValidationError
from django.forms import ChoiceField, Form
from django.http import HttpRequest

from epigrid.core.errors import ConcurrentEditError


def apply_service_error(form: Form, exc: Exception) -> None:
    """Shows a service's refusal on the form, by field where the form has that field."""
    if isinstance(exc, ConcurrentEditError):
        form.add_error(None, str(exc))
        return
    assert isinstance(exc, ValidationError)
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                for message in error.messages:
                    form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def set_choices(form: Form, name: str, choices: list) -> None:
    """Fills a choice field's options at request time (they depend on the actor's scope)."""
    field = form.fields[name]
    assert isinstance(field, ChoiceField)
    field.choices = choices


def query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def refusal_text(exc: Exception) -> str:
    """A service's or form's refusal as one line for a flash message."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)
