"""CRM `GET /crm/v8/org`: the organisation the token's user belongs to (CRM v8 org API)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from ..api import crm_endpoint, crm_json


@crm_endpoint(scope="ZohoCRM.org.READ")
def org(request: HttpRequest) -> HttpResponse:
    crm_org = request.zoho.crm_org
    return crm_json(
        {
            "org": [
                {
                    "id": crm_org.org_id,
                    "zgid": crm_org.org_id,
                    "company_name": crm_org.name,
                    "domain_name": f"org{crm_org.org_id}",
                    "currency": crm_org.currency_code,
                    "iso_code": crm_org.currency_code,
                    "time_zone": crm_org.time_zone,
                    "primary_email": request.zoho.user.email,
                    "license_details": {"paid_type": crm_org.edition, "paid": True},
                }
            ]
        }
    )


urlpatterns = [path("org", org)]
