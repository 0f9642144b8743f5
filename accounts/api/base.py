"""The base every API viewset builds on: scoped reads, scoped writes, role permissions.

- Reads start from `Model.objects.for_user(user)`: an object outside the user's node
  is absent from lists and a 404 on detail.
- Writes: every related field of a `ScopedModelSerializer` only accepts objects the
  user can reach (a field-named error otherwise), and after a create or update the
  object must still be inside the user's scope, or the transaction is rolled back.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions, serializers, viewsets

from accounts.scoping import is_scoped_model
from accounts.selectors import user_has_role


class ScopedRelatedFieldsMixin:
    """Limit every related field's choices to what the requesting user may reach."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            target = field.child_relation if isinstance(field, serializers.ManyRelatedField) \
                else field
            queryset = getattr(target, "queryset", None)
            if queryset is not None and is_scoped_model(queryset.model):
                target.queryset = queryset.all().for_user(user)
        return fields


class ScopedModelSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    pass


class ScopedSerializer(ScopedRelatedFieldsMixin, serializers.Serializer):
    pass


class RolePermission(permissions.BasePermission):
    """Reads need a login; writes need one of the viewset's `write_roles`."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if not hasattr(view, request.method.lower()):
            return True  # let DRF answer 405 for a verb the endpoint does not have
        action_roles = getattr(view, "action_roles", {}).get(getattr(view, "action", None))
        roles = action_roles if action_roles is not None else getattr(view, "write_roles", ())
        return user_has_role(request.user, *roles)


class ScopedViewSetMixin:
    """Mix into any DRF viewset: the queryset is scoped, writes stay inside scope."""

    permission_classes = [RolePermission]
    write_roles: tuple = ()
    scoped = True  # the route walker test checks behaviour, this only documents intent

    def get_queryset(self):
        queryset = super().get_queryset()
        if not hasattr(queryset, "for_user"):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {queryset.model.__name__} has no for_user() scope."
            )
        return queryset.for_user(self.request.user)

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = self.create_instance(serializer)
            self.ensure_in_scope(instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = self.update_instance(serializer)
            self.ensure_in_scope(instance)

    def create_instance(self, serializer):
        """Override to call the app's service; the default saves the serializer."""
        return serializer.save()

    def update_instance(self, serializer):
        return serializer.save()

    def ensure_in_scope(self, instance) -> None:
        model = type(instance)
        if not model._default_manager.for_user(self.request.user).filter(pk=instance.pk).exists():
            raise exceptions.ValidationError(
                {"non_field_errors": [_("This would place the record outside your organisation.")]}
            )


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
