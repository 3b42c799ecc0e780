from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from municipalities.models import (
    DacSector,
    DevelopmentAllocation,
    DevelopmentPlan,
    District,
    Municipality,
    Need,
    PlaceName,
    PlanObjective,
    Region,
    Sector,
    UnresolvedPlace,
)


@admin.register(Region)
class RegionAdmin(LeafletGeoAdmin):
    list_display = ["pcode", "name_ar", "name_en"]
    search_fields = ["pcode", "name_ar", "name_en"]


@admin.register(District)
class DistrictAdmin(LeafletGeoAdmin):
    list_display = ["pcode", "name_ar", "name_en", "region", "area_is_official"]
    list_filter = ["region", "area_is_official"]
    search_fields = ["pcode", "name_ar", "name_en", "iso_3166_2"]
    list_select_related = ["region"]


@admin.register(Municipality)
class MunicipalityAdmin(LeafletGeoAdmin):
    list_display = ["pcode", "name_ar", "name_en", "district", "population", "area_is_official", "in_ocha_list"]
    list_filter = ["district__region", "district", "area_is_official", "in_ocha_list"]
    search_fields = ["pcode", "slug", "name_ar", "name_en"]
    list_select_related = ["district"]
    readonly_fields = ["area_source"]


class DacSectorInline(admin.TabularInline):
    model = DacSector
    extra = 0


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ar", "name_en", "order"]
    search_fields = ["code", "name_ar", "name_en", "dac_codes__code"]
    filter_horizontal = ["related"]
    inlines = [DacSectorInline]


@admin.register(DacSector)
class DacSectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "sector"]
    list_filter = ["sector"]
    search_fields = ["code", "name_en"]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["municipality", "sector", "severity", "people_in_need", "source", "assessed_on"]
    list_filter = ["severity", "sector", "municipality__district__region", "source"]
    search_fields = ["municipality__name_ar", "municipality__name_en", "municipality__pcode"]
    list_select_related = ["municipality", "sector"]
    autocomplete_fields = ["municipality"]
    date_hierarchy = "assessed_on"


class PlanObjectiveInline(admin.TabularInline):
    model = PlanObjective
    extra = 0
    fields = ["code", "parent", "title_ar", "title_en", "sector", "priority_rank", "cost_estimate", "currency"]


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ar", "title_en", "level", "status", "municipality", "start_year", "end_year",
                    "is_demo"]
    list_filter = ["level", "status", "is_demo"]
    search_fields = ["title_ar", "title_en", "municipality__name_ar", "municipality__name_en"]
    autocomplete_fields = ["municipality"]
    inlines = [PlanObjectiveInline]


@admin.register(PlanObjective)
class PlanObjectiveAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ar", "title_en", "plan", "sector"]
    list_filter = ["plan__level", "sector"]
    filter_horizontal = ["sectors", "municipalities"]
    search_fields = ["code", "title_ar", "title_en"]


@admin.register(DevelopmentAllocation)
class DevelopmentAllocationAdmin(admin.ModelAdmin):
    """Saved through ``allocation_save`` (its checks and who changed it), like every other write."""

    list_display = ["municipality", "year", "amount", "currency", "source"]
    list_filter = ["year", "currency", "municipality__district__region"]
    search_fields = ["municipality__name_ar", "municipality__name_en", "municipality__pcode", "source"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["updated_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The key (municipality, year, source) is set once: another key is another allocation.
        key = ["municipality", "year", "source"] if obj is not None else []
        return [*key, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        from municipalities.services import allocation_save

        saved, _outcome = allocation_save(municipality=obj.municipality, year=obj.year, amount=obj.amount,
                                          currency=obj.currency, source=obj.source, note=obj.note,
                                          user=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        from municipalities.services import allocation_delete

        allocation_delete(allocation=obj, user=request.user)


@admin.register(PlaceName)
class PlaceNameAdmin(admin.ModelAdmin):
    list_display = ("name", "script", "source", "municipality")
    list_filter = ("source", "script")
    search_fields = ("name", "key")
    raw_id_fields = ("municipality",)


@admin.register(UnresolvedPlace)
class UnresolvedPlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "count")
    search_fields = ("name",)
