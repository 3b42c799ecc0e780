"""What the gap and delay flag APIs share: the review action, its permission, query-parameter parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api_pagination import ApiPageNumberPagination
from coordination.models import FlagStatus
from coordination.selectors.flags import flag_fields_hidden_from

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def parse_bool(value: str | None, *, name: str) -> bool | None:
    if value is None or value == "":
        return None
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise serializers.ValidationError({name: _("Use true or false.")})


def parse_resolved(value: str | None) -> bool | None:
    """``resolved``: false (default, current flags), true (no longer holding), all (both)."""
    if value is not None and value.strip().lower() == "all":
        return None
    parsed = parse_bool(value, name="resolved")
    return False if parsed is None else parsed


class AnalysisPagination(ApiPageNumberPagination):
    """The default page (50), or ``?page_size=`` up to 1000 (a whole sector's cells fit in one page)."""

    page_size_query_param = "page_size"
    max_page_size = 1000


class CanReviewFlags(permissions.BasePermission):
    """Reading needs a signed-in user; reviewing needs the change permission on the flag model
    (the ministry administrator and analyst roles)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        model = view.get_queryset().model
        return request.user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")


class CommitteeNotesMixin:
    """A flag's decision (who, and the note) is the committee's working record: the fields
    ``coordination.selectors.flags`` withholds from the user are answered as null (the review pages
    follow the same rule). Without a request nobody is known, so everything private is withheld."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        hidden = flag_fields_hidden_from(request.user if request is not None else None)
        for name in hidden:
            if name in data:
                data[name] = None
        return data


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[
        (FlagStatus.OPEN, FlagStatus.OPEN.label), (FlagStatus.CONFIRMED, FlagStatus.CONFIRMED.label),
        (FlagStatus.DISMISSED, FlagStatus.DISMISSED.label)])
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ReviewActionMixin:
    """``POST <flag>/review/`` {"status": "confirmed" | "dismissed" | "open", "note": "..."}."""

    review_service: Callable[..., Any]

    @action(detail=True, methods=["post"], url_path="review")
    def review(self, request: Request, pk: str | None = None) -> Response:
        flag = self.get_object()  # type: ignore[attr-defined]
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            flag = type(self).review_service(flag=flag, user=request.user, status=data.validated_data["status"],
                                             note=data.validated_data["note"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        flag = self.get_queryset().get(pk=flag.pk)  # type: ignore[attr-defined]
        return Response(self.get_serializer(flag).data, status=status.HTTP_200_OK)  # type: ignore[attr-defined]
