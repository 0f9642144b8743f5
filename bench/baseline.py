"""The baseline the list API is measured against: what a Django developer writes by hand.

Same rows as /api/kehu/retailers/ for the same user: the same scoping (`for_user`), the
same search condition, the same columns and ordering (name, id), 50 per page; a plain
view with `.values()` and JsonResponse, no DRF, no django-filter, no cursor.
"""

from django.db.models import Q
from django.http import JsonResponse

from kehu.models import Retailer
from kehu.pinyin import normalise_query
from kehu.selectors import LIST_FIELDS

PAGE = 50


def retailers(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "login"}, status=403)
    rows = Retailer.objects.for_user(request.user)
    text = request.GET.get("q", "").strip()
    if text:
        condition = (Q(name__icontains=text) | Q(code__istartswith=text)
                     | Q(address__icontains=text))
        key = normalise_query(text)
        if key.isascii() and key.isalnum():
            condition |= Q(search_keys__contains=f" {key}")
        rows = rows.filter(condition)
    rows = rows.order_by("name", "id").values(*LIST_FIELDS, "assigned_rep__name", "area__name")
    return JsonResponse({"results": list(rows[:PAGE])}, json_dumps_params={"ensure_ascii": False})
