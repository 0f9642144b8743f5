"""The data of the rep's and finance's home pages, one request each."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import RolePermission
from accounts.models import Role
from accounts.scoping import memberships_of
from reports.selectors import homes


class RepHomeView(APIView):
    """The rep's home: today's route, reminders due, open problems, the month so far
    (404 for someone who is not a rep)."""

    permission_classes = [RolePermission]

    @extend_schema(responses={200: None})
    def get(self, request):
        if not any(m.role == Role.REP for m in memberships_of(request.user)):
            raise Http404
        return Response(homes.rep_home(request.user, timezone.localdate()))


class FinanceHomeView(APIView):
    """Finance's home: statements by status and deadline, advances against the cap, failed
    spot checks, all within the reader's scope."""

    permission_classes = [RolePermission]

    @extend_schema(responses={200: None})
    def get(self, request):
        return Response(homes.finance_home(request.user, timezone.localdate(),
                                           homes.company_for(request.user)))
