import factory

from accounts import services
from accounts.models import Membership, OrgNode, Role, User
from kehu.models import Retailer
from kehu.pinyin import search_keys

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


_retailer_codes = iter(range(1, 10**9))


def make_retailer(area: OrgNode, rep: User | None = None, **fields):
    """A retailer card through the service (dedupe off: test data places shops freely)."""
    number = next(_retailer_codes)
    fields.setdefault("name", f"测试商店{number}")
    fields.setdefault("business_type", Retailer.BusinessType.CONVENIENCE)
    fields.setdefault("code", f"R{number:07d}")
    return Retailer.objects.create(
        company=area.company(), area=area, assigned_rep=rep,
        search_keys=search_keys(fields["name"]),
        **fields,
    )
