"""/api/v1/ for geography: municipalities (GeoJSON) and sectors."""
