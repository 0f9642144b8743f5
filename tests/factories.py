import factory

from accounts import services
from accounts.models import Membership, OrgNode, Role, User

_node_codes = iter(range(1, 10**9))


def make_node(parent: OrgNode | None, kind: str, name: str | None = None) -> OrgNode:
    number = next(_node_codes)
    return services.node_create(
        parent=parent, code=f"{kind[:3].upper()}{number:05d}", name=name or f"{kind} {number}",
        kind=kind,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_person(node: OrgNode, role: Role, username: str | None = None, **extra) -> User:
    user = UserFactory(**({"username": username} if username else {}), **extra)
    Membership.objects.create(user=user, node=node, role=role)
    return user
