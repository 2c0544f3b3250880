def home_projects() -> dict:
    return {"featured": [], "most_needed": []}
