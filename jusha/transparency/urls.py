from django.urls import path

from jusha.transparency import views

app_name = "transparency"
urlpatterns = [
    path("", views.index, name="index"),
    # C2SP tlog-tiles and tlog-witness: the log's own formats, CDN-friendly.
    path("checkpoint", views.checkpoint, name="checkpoint"),
    path("key", views.key, name="key"),
    path("tile/<path:path>", views.tile, name="tile"),
    path("witness/add-checkpoint", views.witness_add_checkpoint, name="witness_add_checkpoint"),
    path("witness/key", views.witness_key, name="witness_key"),
    path("audit.py", views.audit_script, name="audit_script"),
    # Pages.
    path("verify/", views.verify, name="verify"),
    path("receipts/<uuid:donation_id>.tlog-proof", views.receipt_bundle, name="receipt_bundle"),
    path("receipts/<uuid:donation_id>/panel", views.receipt_fragment, name="receipt_fragment"),
    path("flow/", views.flow_platform, name="flow"),
    path("flow/<slug:slug>/", views.flow_project, name="flow_project"),
]
