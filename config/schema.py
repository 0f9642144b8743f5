"""OpenAPI naming: one enum name per model choice field, so apps never collide.

Several models have a `status`, `kind`, `role` or `category` field with different
choices; drf-spectacular would name them with hash suffixes and warn. This mapping
names each choice set after its model and field (`RetailerStatusEnum`), computed when
the schema is first generated (the app registry is ready by then).
"""

from collections.abc import Iterator, Mapping


class ModelChoiceEnumNames(Mapping):
    def __init__(self) -> None:
        self._names: dict | None = None

    def _build(self) -> dict:
        from django.apps import apps

        names: dict[str, list] = {}
        seen: set[tuple] = set()
        for model in apps.get_models():
            if model._meta.app_label in {"django_celery_beat", "axes", "admin"}:
                continue
            for field in model._meta.concrete_fields:
                choices = field.choices
                if not choices or getattr(model, "_history_model", False):
                    continue
                values = tuple(value for value, _label in choices)
                if values in seen or model.__name__.startswith("Historical"):
                    continue
                seen.add(values)
                camel = "".join(part.title() for part in field.name.split("_"))
                names[f"{model.__name__}{camel}Enum"] = list(choices)
        return names

    def _mapping(self) -> dict:
        if self._names is None:
            self._names = self._build()
        return self._names

    def __getitem__(self, key):
        return self._mapping()[key]

    def __iter__(self) -> Iterator:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())
