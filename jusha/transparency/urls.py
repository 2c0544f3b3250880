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
    # The offline verifier of receipts, one file (standalone.py builds it; its SHA-256 is in the docs).
    path("jusha-verify.py", views.verifier_script, name="verifier_script"),
    # Verify my donation, receipts' proofs and fund-flow pictures are giving's pages
    # (jusha.giving.transparency_urls): config/urls.py adds them to this namespace.
]
