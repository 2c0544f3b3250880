from ninja import Router

router = Router(tags=["transparency log"])
