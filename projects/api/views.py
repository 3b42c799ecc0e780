"""/api/v1/ for partners' projects and updates: thin views over projects.selectors and projects.services.

Reads go through the scoped selectors (``projects_visible_to``): a record the user may not see answers 404,
as if it did not exist. Writes go through the services, which check projects.permissions themselves; their
``PermissionDenied`` and ``ValidationError`` reach the client in the API's one error format
(config.api_errors).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import authenticate, get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from accounts.models import SecurityEvent
from accounts.origin import request_origin
from accounts.selectors import two_factor_device, two_factor_required
from accounts.services import security_event_record
from config.api_filters import UtcIsoDateTimeFilter
from projects import services
from projects.api import serializers as s
from projects.models import ActivityStatus, Partner, Project, ProjectUpdate, ReviewState, UpdateSite
from projects.selectors.government import government_projects, international_projects, projects_with_government_flag
from projects.selectors.projects import project_list, review_queue, update_list, user_reviews

# Ids beyond a 64-bit integer are refused as invalid input (SQLite cannot even bind them).
ID_BOUNDS = {"min_value": 1, "max_value": 2**63 - 1}


class ProjectFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReviewState.choices)
    status = django_filters.TypedChoiceFilter(choices=ActivityStatus.choices, coerce=int)
    reporting_partner = django_filters.NumberFilter(**ID_BOUNDS)
    sector = django_filters.CharFilter(field_name="sector_shares__sector__code", distinct=True,
                                       label=_("Sector code"))
    municipality = django_filters.CharFilter(field_name="locations__municipality__slug", distinct=True,
                                             label=_("Municipality key"))
    updated_since = UtcIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte",
                                         label=_("Changed at or after this moment (ISO 8601, e.g. "
                                                 "2025-01-31T12:00:00+02:00)"))
    government = django_filters.BooleanFilter(method="filter_government",
                                              label=_("Government projects (true) or partners' (false)"))

    class Meta:
        model = Project
        fields = ["state", "status", "reporting_partner", "sector", "municipality", "updated_since", "government"]

    def filter_government(self, queryset: QuerySet[Project], name: str, value: bool | None) -> QuerySet[Project]:
        if value is None:
            return queryset
        return government_projects(queryset) if value else international_projects(queryset)


class UpdateFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReviewState.choices)
    project = django_filters.NumberFilter(**ID_BOUNDS)

    class Meta:
        model = ProjectUpdate
        fields = ["state", "project"]


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Projects within the user's scope; create, edit, submit and review them."""

    serializer_class = s.ProjectDetailSerializer
    filterset_class = ProjectFilter

    def get_serializer_class(self) -> type:
        # The list stays lean (its query count is fixed); one project shows and takes its sites,
        # transactions and related activities too.
        return s.ProjectSerializer if self.action == "list" else s.ProjectDetailSerializer

    def get_queryset(self) -> QuerySet[Project]:
        qs = projects_with_government_flag(project_list(self.request.user))
        if self.action != "list":
            qs = qs.prefetch_related("sites__municipality", "transactions", "related_activities")
        return qs

    def _answer(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(user=request.user, **serializer.split())
        return self._answer(project, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        serializer = self.get_serializer(project, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        project = services.project_edit(project=project, user=request.user, **serializer.split())
        return self._answer(project)

    @extend_schema(request=None, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        project = services.project_submit(project=self.get_object(), user=request.user)
        return self._answer(project)

    @extend_schema(request=s.ReviewSerializer, responses=s.ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        data = s.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_review(project=project, user=request.user, **data.validated_data)
        return self._answer(project)


class ProjectUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Focal points' periodic reports within the user's scope; create, edit (drafts), submit, review."""

    serializer_class = s.ProjectUpdateSerializer
    filterset_class = UpdateFilter

    def get_queryset(self) -> QuerySet[ProjectUpdate]:
        return update_list(self.request.user).order_by("-period_end", "-pk").prefetch_related(
            Prefetch("new_sites", queryset=UpdateSite.objects.select_related("municipality").order_by("pk")))

    def _answer(self, update: ProjectUpdate, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=update.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        project, new_sites = fields.pop("project"), fields.pop("new_sites", None)
        update = services.project_update_create(project=project, user=request.user, fields=fields,
                                                new_sites=new_sites)
        return self._answer(update, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        update = self.get_object()
        serializer = self.get_serializer(update, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("project", None)
        new_sites = fields.pop("new_sites", None)
        update = services.project_update_edit(update=update, user=request.user, fields=fields, new_sites=new_sites)
        return self._answer(update)

    @extend_schema(request=None, responses=s.ProjectUpdateSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        update = services.project_update_submit(update=self.get_object(), user=request.user)
        return self._answer(update)

    @extend_schema(request=s.ReviewSerializer, responses=s.ProjectUpdateSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        update = self.get_object()
        data = s.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        update = services.project_update_review(update=update, user=request.user, **data.validated_data)
        return self._answer(update)


class CanReview(permissions.BasePermission):
    """The review page's rule (``user_reviews``), not a copy of it: a copy had lost the ``is_active``
    check, which matters wherever a permission backend grants to disabled accounts."""

    message = _("Only the ministry's reviewers can see the review queue.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_reviews(request.user)


class ReviewQueueView(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What waits for the ministry: submitted projects and updates together, oldest submission first."""

    serializer_class = s.ReviewQueueItemSerializer
    permission_classes = [CanReview]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        return review_queue(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        items = [{
            "kind": row["kind"], "id": row["item_id"], "project": row["item_project"],
            "title_ar": row["item_title_ar"], "title_en": row["item_title_en"],
            "reporting_partner": row["item_partner"], "submitted_at": row["item_submitted_at"],
            "submitted_by": row["item_submitted_by"] or None,
        } for row in page]
        return self.get_paginated_response(self.get_serializer(items, many=True).data)


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PartnerSerializer
    queryset = Partner.objects.order_by("name_en", "pk")
    filterset_fields = ["org_type", "country"]


class TokenThrottle(AnonRateThrottle):
    """Password guesses count against the caller's address whoever they claim to be."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": "token", "ident": self.get_ident(request)}


USERNAME_MAX_LENGTH = get_user_model()._meta.get_field("username").max_length


class AuthTokenView(APIView):
    """``POST`` (signed in, or with username and password): a new API token for yourself, replacing any
    old one; an account with two-factor sign-in gets one only signed in (with both factors). ``DELETE``: revoke
    your token."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenThrottle, UserRateThrottle]
    serializer_class = s.TokenSerializer

    @extend_schema(request=s.TokenSerializer, responses={201: s.TokenSerializer})
    def post(self, request: Request) -> Response:
        data = s.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if request.user and request.user.is_authenticated else None
        if user is None:
            username, password = data.validated_data.get("username"), data.validated_data.get("password")
            # A name longer than any account's cannot sign in: refused before authenticate(), whose failure
            # handlers (django-axes) would try to store it in a 255-character column and fail on PostgreSQL.
            plausible = username and password and len(username) <= USERNAME_MAX_LENGTH
            user = authenticate(request._request, username=username, password=password) if plausible else None
            if user is None:
                raise exceptions.AuthenticationFailed(_("Wrong username or password."))
            # A password alone must not give a token to an account that signs in with two factors.
            if two_factor_required(user) or two_factor_device(user) is not None:
                security_event_record(kind=SecurityEvent.Kind.TWO_FACTOR_FAILED, request=request, user=user,
                                      detail="API token asked with the password alone")
                raise exceptions.PermissionDenied(_("This account confirms each sign-in with a second factor: sign "
                                                    "in on the site and create the token on your account page."))
        token = services.api_token_renew(user=user, origin=request_origin(request))
        return Response(s.TokenSerializer(token, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        services.api_token_revoke(user=request.user, origin=request_origin(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

