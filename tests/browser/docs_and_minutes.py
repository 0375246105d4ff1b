#!/usr/bin/env python3
"""The docs page and the HTML minutes in a real browser (Debian's headless Chromium, driven by
Playwright), with every host but 127.0.0.1 out of reach.

Run by .ci/browser-check, which starts `samverkan serve --demo` and passes what the demo printed:

    python docs_and_minutes.py --docs-url http://127.0.0.1:PORT/docs/ \
        --minutes-url http://127.0.0.1:PORT/api/v1/meetings/ID/minutes --token JWT \
        --artifacts target/ci-artifacts --result result.json

Checks, failing (exit 1) at the first miss:
  1. /docs/ renders a section for every tag of the document and, under each tag, every
     operation of it (method and path, the same number as in the document);
  2. "Authorize" takes the bearer token;
  3. GET /api/v1/organisations through "Try it out" / "Execute" renders 200 and a list with
     organisations, and was sent with the token; POST /api/v1/organisations with a body typed
     into the editor renders 201 (the caller confirms the new record with curl);
  4. the minutes of 2021-11-05 render as a Swedish HTML document headed "Protokoll" or
     "Mötesanteckningar" with the date "5 november 2021";
  5. no page asked for any host other than 127.0.0.1 — also when /docs/ is opened under a
     name that is not a loopback address, as it is in a deployment (Swagger UI then shows its
     online validator badge, an image from validator.swagger.io, unless `validatorUrl` is
     "none").
Screenshots go to the artifacts folder: docs.png, docs-executed.png, minutes-2021-11-05.png.
"""

import argparse
import json
import re
import sys
import time
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

LOOPBACK = "127.0.0.1"
# A name that is not loopback-looking (Swagger UI treats "localhost" and "127.0.0.1" alike),
# resolved by Chromium itself to 127.0.0.1 (see --host-resolver-rules below).
ALIAS = "docs.samverkan.test"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
NEW_ORGANISATION = {
    "name": "Browser-test kommun",
    "kind": "municipality",
    "municipality_code": "0799",
    "county_code": "07",
}
TIMEOUT_MS = 20_000


class CheckFailed(Exception):
    pass


def fail(message):
    raise CheckFailed(message)


STARTED = time.monotonic()


def log(message):
    print(f"browser-check: [{time.monotonic() - STARTED:5.1f} s] {message}", flush=True)


def expected_operations(document):
    """{tag: {(METHOD, path): operationId}} as Swagger UI groups them (untagged: "default")."""
    by_tag = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for tag in operation.get("tags") or ["default"]:
                by_tag.setdefault(tag, {})[(method.upper(), path)] = operation.get("operationId")
    return by_tag


RENDERED_JS = """() => Array.from(document.querySelectorAll('.opblock-tag-section')).map(section => {
  const heading = section.querySelector('.opblock-tag');
  return {
    tag: heading ? heading.getAttribute('data-tag') : null,
    open: heading ? heading.getAttribute('data-is-open') : null,
    operations: Array.from(section.querySelectorAll('.opblock')).map(op => ({
      id: op.id,
      method: (op.querySelector('.opblock-summary-method') || {}).textContent || '',
      path: (op.querySelector('[data-path]') || {getAttribute: () => ''}).getAttribute('data-path'),
      summary: ((op.querySelector('.opblock-summary-description') || {}).textContent || '').trim(),
    })),
  };
})"""


class Network:
    """Aborts and records every request that leaves 127.0.0.1 (and the alias, which Chromium
    resolves to 127.0.0.1); records every request for the checks on what was sent."""

    def __init__(self, allowed_hosts):
        self.allowed = set(allowed_hosts)
        self.offsite = []
        self.requests = []
        self.page_errors = []

    def attach(self, context):
        context.route("**/*", self._route)
        context.on("request", self._request)
        context.on("weberror", lambda error: self.page_errors.append(str(error.error)))

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).hostname in self.allowed:
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort("blockedbyclient")

    def _request(self, request):
        self.requests.append(request)
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss", "ftp") and parts.hostname not in self.allowed:
            if request.url not in self.offsite:
                self.offsite.append(request.url)

    def check(self, where):
        if self.offsite:
            hint = ""
            if any("validator.swagger.io" in url for url in self.offsite):
                hint = (" (Swagger UI's online validator badge: configure the UI with"
                        ' `validatorUrl: "none"`, utoipa-swagger-ui\'s `Config::validator_url("none")`)')
            fail(f"{where}: the page tried to reach other hosts: "
                 + ", ".join(sorted(set(self.offsite))) + hint)
        if self.page_errors:
            fail(f"{where}: uncaught errors in the page: " + "; ".join(self.page_errors))


def open_docs(page, docs_url, expected_count):
    response = page.goto(docs_url, wait_until="load")
    if response is None or response.status != 200:
        fail(f"GET {docs_url}: {response.status if response else 'no response'}")
    page.wait_for_selector(".opblock-tag-section", timeout=TIMEOUT_MS)
    # Every tag starts open (docExpansion "list"); open any that is not, then wait until
    # React has rendered them all.
    for heading in page.query_selector_all('.opblock-tag[data-is-open="false"]'):
        heading.click()
    page.wait_for_function(
        "n => document.querySelectorAll('.opblock-tag-section .opblock').length >= n",
        arg=expected_count,
        timeout=TIMEOUT_MS,
    )
    errors = page.query_selector_all(".errors-wrapper .error-wrapper, .loading-container .info .title")
    if errors:
        fail("Swagger UI shows errors: " + " | ".join(e.inner_text() for e in errors))


def differences(what, want, seen, source):
    """What is missing from the page and what it shows beyond `source`."""
    problems = []
    if want - seen:
        problems.append(f"{what} not rendered: {sorted(want - seen)}")
    if seen - want:
        problems.append(f"{what} rendered but not in {source}: {sorted(seen - want)}")
    return problems


def check_rendered(page, expected):
    rendered = page.evaluate(RENDERED_JS)
    rendered_tags = [section["tag"] for section in rendered]
    problems = []
    if len(rendered_tags) != len(set(rendered_tags)):
        problems.append(f"a tag rendered twice: {rendered_tags}")
    problems += differences("tags", set(expected), set(rendered_tags), "the document")
    total = 0
    for section in rendered:
        tag = section["tag"]
        seen = [(op["method"].strip().upper(), op["path"]) for op in section["operations"]]
        total += len(seen)
        want = expected.get(tag, {})
        if len(seen) != len(set(seen)):
            problems.append(f"tag {tag}: an operation rendered twice")
        problems += differences(f"tag {tag}: operations", set(want), set(seen), "this tag of the document")
        if len(seen) != len(want):
            problems.append(f"tag {tag}: {len(seen)} operations rendered, {len(want)} in the document")
        for op in section["operations"]:
            if not op["summary"]:
                problems.append(f"tag {tag}: {op['method']} {op['path']} shows no summary")
    want_total = sum(len(ops) for ops in expected.values())
    if total != want_total:
        problems.append(f"{total} operations rendered, {want_total} in the document")
    if problems:
        fail("the docs page does not render the document:\n  " + "\n  ".join(problems))
    return len(rendered_tags), total


def authorise(page, token):
    page.click(".scheme-container button.authorize")
    modal = page.locator(".modal-ux")
    modal.wait_for(state="visible", timeout=TIMEOUT_MS)
    field = modal.locator("input#auth-bearer-value")
    if field.count() != 1:
        fail("the Authorize dialog has no bearer field")
    field.fill(token)
    modal.locator("button.authorize").click()
    # Authorised: the value is masked and the dialog offers "Logout".
    modal.locator("button", has_text="Logout").wait_for(timeout=TIMEOUT_MS)
    modal.locator("button.btn-done").click()
    modal.wait_for(state="detached", timeout=TIMEOUT_MS)
    page.locator(".scheme-container button.authorize.locked").wait_for(timeout=TIMEOUT_MS)


def operation_block(page, tag, operation_id):
    block = page.locator(f"#operations-{tag}-{operation_id}")
    if block.count() != 1:
        fail(f"operation {operation_id} is not rendered under {tag}")
    block.scroll_into_view_if_needed()
    if "is-open" not in (block.get_attribute("class") or ""):
        block.locator(".opblock-summary-control").click()
    block.locator("button.try-out__btn").click()
    return block


def execute(block, what):
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    status.wait_for(timeout=TIMEOUT_MS)
    code = status.inner_text().strip()
    body_el = block.locator(".live-responses-table .response .response-col_description .highlight-code pre")
    body = body_el.first.inner_text() if body_el.count() else ""
    log(f"{what}: the page shows {code}")
    return code, body


def shown_json(what, body):
    """The response body the page shows, as JSON."""
    try:
        return json.loads(body)
    except ValueError:
        fail(f"{what}: the page shows no JSON body: {body[:500]!r}")


def run_get(page, network, token):
    block = operation_block(page, "organisations", "list_organisations")
    code, body = execute(block, "GET /api/v1/organisations")
    if code != "200":
        fail(f"GET /api/v1/organisations through the page: {code} {body[:500]}")
    listed = shown_json("GET /api/v1/organisations", body)
    items = listed.get("items") if isinstance(listed, dict) else None
    if not items or not all(item.get("id") and item.get("name") for item in items):
        fail(f"GET /api/v1/organisations: the page shows no organisations: {body[:500]}")
    sent = [r for r in network.requests
            if r.method == "GET" and urlsplit(r.url).path == "/api/v1/organisations"]
    if not sent:
        fail("GET /api/v1/organisations: no such request left the page")
    if sent[-1].headers.get("authorization") != f"Bearer {token}":
        fail("GET /api/v1/organisations: the page did not send the token it was authorised with")
    return len(items), [item["name"] for item in items]


def run_post(page, network, token):
    block = operation_block(page, "organisations", "create_organisation")
    editor = block.locator("textarea.body-param__text")
    editor.wait_for(timeout=TIMEOUT_MS)
    editor.fill(json.dumps(NEW_ORGANISATION, ensure_ascii=False, indent=2))
    code, body = execute(block, "POST /api/v1/organisations")
    if code != "201":
        fail(f"POST /api/v1/organisations through the page: {code} {body[:500]}")
    created = shown_json("POST /api/v1/organisations", body)
    if created.get("name") != NEW_ORGANISATION["name"] or not created.get("id"):
        fail(f"POST /api/v1/organisations: unexpected body {body[:500]}")
    sent = [r for r in network.requests
            if r.method == "POST" and urlsplit(r.url).path == "/api/v1/organisations"]
    if not sent or sent[-1].headers.get("authorization") != f"Bearer {token}":
        fail("POST /api/v1/organisations: the page did not send the token it was authorised with")
    return created


def check_minutes(page, minutes_url, screenshot):
    response = page.goto(minutes_url, wait_until="load")
    if response is None or response.status != 200:
        fail(f"GET {minutes_url}: {response.status if response else 'no response'}")
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/html"):
        fail(f"the minutes came as {content_type!r}, not text/html")
    title = page.title()
    heading = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
    text = page.locator("body").inner_text()
    lang = page.evaluate("() => document.documentElement.lang")
    problems = []
    if "2021-11-05" not in title:
        problems.append(f"the title {title!r} does not name 2021-11-05")
    if not re.search(r"Protokoll|Mötesanteckningar", heading):
        problems.append(f"the heading {heading!r} says neither Protokoll nor Mötesanteckningar")
    if "5 november 2021" not in text:
        problems.append("the page does not say 5 november 2021")
    if lang != "sv":
        problems.append(f'<html lang="{lang}">, not "sv"')
    if page.locator("script").count():
        problems.append("the minutes contain scripts")
    if problems:
        fail("the minutes of 2021-11-05:\n  " + "\n  ".join(problems))
    page.screenshot(path=screenshot, full_page=True)
    return title, heading


def alias_url(url, port):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, f"{ALIAS}:{port}", parts.path, parts.query, parts.fragment))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs-url", required=True)
    parser.add_argument("--minutes-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--result", required=True, help="a JSON file for what the caller checks next")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    docs = urlsplit(args.docs_url)
    if docs.hostname != LOOPBACK or urlsplit(args.minutes_url).hostname != LOOPBACK:
        fail(f"the demo must serve on {LOOPBACK}: {args.docs_url} {args.minutes_url}")
    base = f"{docs.scheme}://{docs.netloc}"
    with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=10) as response:
        document = json.load(response)
    expected = expected_operations(document)
    declared = [tag["name"] for tag in document.get("tags", [])]
    empty = [tag for tag in declared if tag not in expected]
    if empty:
        fail(f"the document declares tags without operations (Swagger UI cannot show them): {empty}")
    want_ops = sum(len(ops) for ops in expected.values())
    log(f"the document: {len(expected)} tags, {want_ops} operations")

    started = time.monotonic()
    result = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium,
            args=[
                # No name resolves but our own; the alias is 127.0.0.1 too.
                f"--host-resolver-rules=MAP {ALIAS} {LOOPBACK} , MAP * ~NOTFOUND , EXCLUDE {LOOPBACK}",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-domain-reliability",
                "--disable-sync",
                "--no-first-run",
                "--no-pings",
            ],
            # Anything that bypassed the resolver rules would meet a dead proxy.
            proxy={"server": f"http://{LOOPBACK}:9", "bypass": f"{LOOPBACK},{ALIAS}"},
        )
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="sv-SE", timezone_id="Europe/Stockholm"
            )
            context.set_default_timeout(TIMEOUT_MS)
            network = Network({LOOPBACK})
            network.attach(context)
            page = context.new_page()

            # 1. Every tag and operation.
            open_docs(page, args.docs_url, want_ops)
            tags, operations = check_rendered(page, expected)
            log(f"/docs/ renders {tags} tags and {operations} operations, as the document has")
            docs_png = f"{args.artifacts}/docs.png"
            page.screenshot(path=docs_png, full_page=True)

            # 2. Authorise; 3. one GET and one POST through the page.
            authorise(page, args.token)
            log("authorised with the bearer token")
            listed, names = run_get(page, network, args.token)
            log(f"GET shows {listed} organisations ({', '.join(names[:3])}{', ...' if listed > 3 else ''})")
            created = run_post(page, network, args.token)
            log(f"POST created organisation {created['id']} ({created['name']})")
            executed_png = f"{args.artifacts}/docs-executed.png"
            page.screenshot(path=executed_png, full_page=True)
            network.check("/docs/")

            # 4. The minutes of 2021-11-05, in a fresh page of the same cut-off browser.
            minutes_png = f"{args.artifacts}/minutes-2021-11-05.png"
            minutes_page = context.new_page()
            title, heading = check_minutes(minutes_page, args.minutes_url, minutes_png)
            log(f"minutes: title {title!r}, heading {heading!r}")
            network.check("the minutes")
            context.close()

            # 5. /docs/ under a name that is not loopback, as a deployment serves it.
            alias_context = browser.new_context(viewport={"width": 1280, "height": 900})
            alias_context.set_default_timeout(TIMEOUT_MS)
            alias_network = Network({LOOPBACK, ALIAS})
            alias_network.attach(alias_context)
            alias_page = alias_context.new_page()
            open_docs(alias_page, alias_url(args.docs_url, docs.port), want_ops)
            alias_page.wait_for_load_state("networkidle")
            alias_network.check(f"/docs/ served as http://{ALIAS}:{docs.port}/docs/")
            alias_context.close()
            log(f"/docs/ served as {ALIAS} asked for no other host either")

            result = {
                "tags": tags,
                "operations": operations,
                "get_status": 200,
                "get_items": listed,
                "post_status": 201,
                "created": created,
                "minutes_title": title,
                "minutes_heading": heading,
                "screenshots": [docs_png, executed_png, minutes_png],
                "offsite_requests": 0,
                "seconds": round(time.monotonic() - started, 1),
            }
        except (CheckFailed, PlaywrightError):
            # What the browser showed when it failed, beside the other screenshots.
            for context in browser.contexts:
                for page in context.pages[-1:]:
                    try:
                        page.screenshot(path=f"{args.artifacts}/failure.png", full_page=True)
                        print(f"browser-check: the page at failure: {args.artifacts}/failure.png "
                              f"({page.url})", file=sys.stderr)
                    except PlaywrightError:
                        pass
            raise
        finally:
            browser.close()
    with open(args.result, "w", encoding="utf-8") as out:
        json.dump(result, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    try:
        main()
    except CheckFailed as error:
        print(f"browser-check: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
    except PlaywrightError as error:
        print(f"browser-check: FAILED in the browser: {error}", file=sys.stderr)
        sys.exit(1)
