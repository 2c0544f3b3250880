"""`make screenshots`: every public page of the demo platform, in Simplified Chinese, at a
desktop's 1280 px and a phone's 390 px, written to var/screenshots/{desktop,phone}/<page>.png.

It starts its own server (DEBUG=1 JUSHA_DEMO=1, the database `make demo` filled) on
SCREENSHOT_PORT (8765), drives Debian's chromium through Playwright's executable_path (never
`playwright install`), prints each page's width beside the viewport's (a page wider than
its viewport scrolls sideways on a phone) and stops the server. Exit status 1 if a page
failed to load or overflowed."""

import base64
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("JUSHA_DEMO", "1")

CHROMIUM = os.environ.get("JUSHA_CHROMIUM", "/usr/bin/chromium")
PORT = int(os.environ.get("SCREENSHOT_PORT", "8765"))
OUT = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "var" / "screenshots"))
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")
            time.sleep(0.3)


def main() -> int:
    import django

    django.setup()
    from jusha.demo.pages import public_pages

    pages = public_pages()
    if len(pages) < 10:
        raise SystemExit("no demo data: run `make demo` first (the make target does)")
    executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not executable:
        raise SystemExit(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")

    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():
        print("warning: no Chinese font on this machine, the pages will show boxes; "
              "apt-get install fonts-noto-cjk (a reader's phone has its own)", file=sys.stderr)

    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # The task worker beside it, as `make run` has: it writes gifts into the public log, so
    # receipts show their log entry rather than "being added".
    worker = subprocess.Popen([sys.executable, "manage.py", "jusha_worker"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    problems = []
    try:
        wait_for(base + "/healthz")
        time.sleep(float(os.environ.get("SCREENSHOT_SETTLE", "3")))  # the worker's first round
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
            for kind, viewport in VIEWPORTS.items():
                (OUT / kind).mkdir(parents=True, exist_ok=True)
                context = browser.new_context(
                    viewport=viewport, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-Hans"},
                    device_scale_factor=1,
                )
                context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
                page = context.new_page()
                for name, path in pages:
                    response = page.goto(base + path, wait_until="networkidle")
                    status = response.status if response else 0
                    if name == "share" and page.locator("[data-testid=make-link]").count():
                        # A guest's own link, so the page shows its poster; the PNG the
                        # browser drew goes beside the page's picture.
                        page.locator("[data-testid=make-link]").click()
                        page.wait_for_selector("img[data-testid=poster-image][data-format=png]")
                        src = page.locator("img[data-testid=poster-image]").get_attribute("src")
                        (OUT / kind / "share-poster.png").write_bytes(base64.b64decode(src.split(",", 1)[1]))
                    width = page.evaluate("document.documentElement.scrollWidth")
                    height = page.evaluate("document.documentElement.scrollHeight")
                    target = OUT / kind / f"{name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    flag = ""
                    if status >= 400:
                        flag = f"  HTTP {status}"
                    elif width > viewport["width"]:
                        flag = "  OVERFLOWS"
                    if flag:
                        problems.append(f"{kind} {name}{flag}")
                    print(f"{kind:7} {name:18} {width:5} x {height:6} px  {path}{flag}")
                context.close()
            browser.close()
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(timeout=10)
    print(f"screenshots in {OUT}")
    for problem in problems:
        print("problem:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
