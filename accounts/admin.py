"""The security log in the admin: read-only, for those who hold accounts.view_securityevent (the ministry
administrators, through roles_sync; superusers). Nobody adds, edits or deletes an event here: rows leave only
through the daily prune."""

from django.contrib import admin

from accounts.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "ip", "method", "path", "object_ref", "detail"]
    list_filter = ["kind", ("user", admin.RelatedOnlyFieldListFilter), "created_at"]
    date_hierarchy = "created_at"
    search_fields = ["username", "ip", "path", "object_ref", "detail"]
    list_select_related = ["user"]
    show_full_result_count = False  # the log grows large; counting it all on every page is not worth it
    fields = ["created_at", "kind", "user", "username", "ip", "method", "path", "object_ref", "detail", "user_agent"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
