"""Background work of ratings (thin): the daily computation is a periodic job
(core.schedule: jusha.ratings.services.ratings_compute_all)."""
