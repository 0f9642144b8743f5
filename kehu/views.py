"""Retailer pages: thin views rendering templates whose ES modules call /api/kehu/."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from kehu import selectors


@login_required
def retailer_list(request):
    return render(request, "kehu/retailer_list.html", {})


@login_required
def retailer_card(request, pk: int):
    retailer = get_object_or_404(selectors.retailer_card(request.user), pk=pk)
    return render(request, "kehu/retailer_card.html", {"retailer": retailer})
