#!/usr/bin/env python3
"""The web app over HTTP, against real nodes (tests/web/http.sh runs it).

    http_test.py COOP_BIN SOURCE_ROOT

A municipality (Breda, with the rules of docs/examples/breda-2026.json), a
coop (three members, one of them named like a script) and Anna's own member
node, set up with the CLI; the coop and Breda run `coop node run --http`
and sync, so Breda audits by itself; Anna's node serves `coop web`.  Then
every page for every role, logins and their throttling, CSRF, escaping, the
record form's refusals (the CLI's messages, nothing changed), the close's
preview against the statements it writes, headers and cookies, and the
refusals of the command line (a public address without TLS, a role for the
wrong node, used links).

Each check prints "PASS NAME" or "FAIL NAME: why"; at the end one line
"web-http: N passed, M failed"; exit 1 on any failure.  Python's standard
library only.
"""
import csv
import html
import html.parser
import http.client
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

COOP = sys.argv[1]
ROOT = sys.argv[2]
RULES = os.path.join(ROOT, "docs", "examples", "breda-2026.json")
NOW_MS = "1775131200000"  # 2026-04-02T12:00:00Z: March 2026 has ended
SLOW = 3 if os.environ.get("ASAN_OPTIONS") or os.environ.get("COOP_SLOW") else 1
XSS_NAME = "<script>alert(1)</script>"
XSS_REF = "\"'&<>x1"
PASSWORD = "correct horse battery"

passed = 0
failed = 0
work = tempfile.mkdtemp(prefix="coop-web-http.")
daemons = []


def check(name, ok, why=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS " + name, flush=True)
    else:
        failed += 1
        print("FAIL %s: %s" % (name, str(why)[:1500]), flush=True)
    return ok


def fatal(why):
    print("FAIL setup: " + str(why)[:3000], flush=True)
    finish(1)


def finish(code=None):
    for process in daemons:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in daemons:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if failed or code:
        for name in os.listdir(work):
            if name.endswith(".log"):
                with open(os.path.join(work, name), errors="replace") as f:
                    tail = f.read()[-2500:]
                print("---- %s (tail)\n%s" % (name, tail))
    print("web-http: %d passed, %d failed" % (passed, failed))
    if not os.environ.get("COOP_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("kept " + work)
    sys.exit(1 if failed or code else 0)


def env(fixed_clock=True):
    e = dict(os.environ)
    e.pop("COOP_HOME", None)
    e["LC_ALL"] = "C"
    if fixed_clock:
        e["COOP_NOW_MS"] = NOW_MS
    else:
        e.pop("COOP_NOW_MS", None)
    return e


def run(*args, fixed_clock=True, ok=True):
    """Runs coop ARGS; returns (exit status, stdout, stderr)."""
    p = subprocess.run([COOP] + list(args), capture_output=True, text=True,
                       env=env(fixed_clock), cwd=work, timeout=120 * SLOW)
    if ok and p.returncode != 0:
        fatal("coop %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def out(*args, **kw):
    return run(*args, **kw)[1]


def home(name):
    return os.path.join(work, name)


def free_ports(count):
    """Free loopback ports in 20000-32000, below the ephemeral range."""
    sockets = []
    while len(sockets) < count:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", random.randint(20000, 32000)))
            sockets.append(s)
        except OSError:
            s.close()
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def wait_until(seconds, predicate):
    deadline = time.time() + seconds * SLOW
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


def start(name, args, fixed_clock=True):
    log = open(home(name + ".log"), "ab")
    process = subprocess.Popen([COOP] + args, stdout=log, stderr=log, env=env(fixed_clock),
                               cwd=work)
    daemons.append(process)
    return process


# ---- HTTP ------------------------------------------------------------------------------------

class Page(html.parser.HTMLParser):
    """The facts of a page the checks need: inputs, alerts, text, links."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.inputs = {}
        self.alerts = []
        self.links = []
        self.rows = []
        self.text = []
        self._alert = None
        self._row = None
        self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.inputs.setdefault(a["name"], a.get("value") or "")
        if a.get("role") == "alert":
            self._alert = []
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "tr":
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "p" and self._alert is not None:
            self.alerts.append("".join(self._alert).strip())
            self._alert = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._alert is not None:
            self._alert.append(data)
        if self._cell is not None:
            self._cell.append(data)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._page = None

    @property
    def page(self):
        if self._page is None:
            self._page = Page(self.body)
        return self._page

    @property
    def location(self):
        return self.headers.get("Location", "")


every_response = []  # (what, Response) for the header checks


class Client:
    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}
        self.csrf = None

    def request(self, method, path, fields=None, cookies=True):
        headers = {}
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60 * SLOW)
                conn.request(method, path, body, headers)
                r = conn.getresponse()
                data = r.read()
                conn.close()
                break
            except (OSError, http.client.HTTPException) as e:
                if attempt == 2:
                    # A server that died (or never answered): status 0, and the
                    # checks that follow fail rather than the script.
                    print("     (%s %s: %s)" % (method, path, e), flush=True)
                    return Response(0, http.client.HTTPMessage(), "")
                time.sleep(0.5)
        for cookie in r.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            if value:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        ctype = r.headers.get("Content-Type", "")
        text = data.decode("utf-8", "replace")
        response = Response(r.status, r.headers, text)
        every_response.append(("%s %s" % (method, path), response))
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def login(self, name, password=PASSWORD):
        form = self.get("/login")
        token = form.page.inputs.get("form_token")
        r = self.post("/login", {"form_token": token or "", "name": name, "password": password})
        if r.status == 303 and r.location == "/":
            self.csrf = self.get("/").page.inputs.get("csrf")
        return r

    def welcome(self, link, password=PASSWORD, name=None):
        path = urllib.parse.urlsplit(link)
        form = self.get(path.path + "?" + path.query)
        if form.status != 200:
            return form
        fields = {"form_token": form.page.inputs.get("form_token", ""),
                  "token": form.page.inputs.get("token", ""), "password": password}
        if name is not None:
            fields["name"] = name
        return self.post("/welcome", fields)

    def form(self, path, fields):
        """A POST with the session's CSRF token."""
        return self.post(path, dict(fields, csrf=self.csrf or ""))


def body_has(response, *needles):
    return all(n in response.body for n in needles)


def snapshot(node="coop"):
    """What must not change when a request is refused."""
    size = re.search(r"^size:\s*(\d+)", out("checkpoint", "--dir", home(node)), re.M).group(1)
    verify = run("verify", "--dir", home(node), ok=False)
    return {"size": size, "verify": verify[0],
            "bal": out("bal", "-O", "json", "--dir", home(node)),
            "reg": out("reg", "--dir", home(node)),
            "log": len(out("log", "--dir", home(node)).splitlines())}


def cents(text):
    """'€ 1.234,56' (or '€ -5,00') as cents."""
    t = text.replace("€", "").replace("\xa0", "").replace(" ", "").replace(".", "")
    return int(round(float(t.replace(",", ".")) * 100))


def check_tls():
    """With http_cert and http_key in node.conf, any address is served, over
    TLS only: HSTS and Secure cookies."""
    if not shutil.which("openssl"):
        check("tls: openssl is there to make a test certificate", False, "openssl missing")
        return
    node = home("tlscoop")
    run("init", "--role", "coop", "--name", "TLS Coop", "--dir", node)
    cert, key = home("tls-cert.pem"), home("tls-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost"], check=True,
                   capture_output=True)
    port = free_ports(1)[0]
    conf = os.path.join(node, "node.conf")
    text = open(conf).read().replace("[node]\n", "[node]\nhttp_cert = %s\nhttp_key = %s\n" %
                                      (cert, key), 1)
    open(conf, "w").write(text)
    process = start("tlscoop", ["web", "--http", "0.0.0.0:%d" % port, "--dir", node])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def fetch():
        c = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
        c.request("GET", "/login")
        r = c.getresponse()
        r.read()
        return r
    ok = wait_until(30 * SLOW, lambda: fetch().status == 200)
    r = fetch() if ok else None
    cookies = r.headers.get_all("Set-Cookie") if r else []
    check("tls: with http_cert and http_key, 0.0.0.0 is served over TLS (HSTS, Secure cookies)",
          ok and "max-age" in (r.headers.get("Strict-Transport-Security") or "") and cookies and
          all("Secure" in c for c in cookies), (ok, r and dict(r.headers)))
    plain = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        plain.request("GET", "/login")
        answered = plain.getresponse().status == 200
    except Exception:
        answered = False
    check("tls: plain HTTP on the TLS port gets no page", not answered)
    process.terminate()
    process.wait(timeout=30)


# ---- setup -------------------------------------------------------------------------------------

def setup():
    global ports
    ports = dict(zip(["breda", "breda_http", "coop", "coop_http", "anna_http", "public", "spare"],
                     free_ports(7)))
    run("init", "--role", "municipality", "--name", "Gemeente Breda", "--dir", home("breda"))
    run("init", "--role", "coop", "--name", "Breda Werkt", "--dir", home("coop"))
    run("init", "--role", "member", "--name", "Anna", "--dir", home("anna"))
    key = {n: json.loads(out("id", "-O", "json", "--dir", home(n)))["public_key"]
           for n in ("breda", "coop", "anna")}
    run("rules", "publish", RULES, "--dir", home("breda"))
    run("peer", "add", "--dir", home("coop"), "--key", key["breda"], "--addr",
        "127.0.0.1:%d" % ports["breda"], "--role", "municipality", "--name", "breda")
    run("peer", "add", "--dir", home("coop"), "--key", key["anna"], "--role", "member",
        "--name", "anna")
    run("peer", "add", "--dir", home("breda"), "--key", key["coop"], "--addr",
        "127.0.0.1:%d" % ports["coop"], "--role", "coop", "--name", "coop")
    run("peer", "add", "--dir", home("anna"), "--key", key["coop"], "--addr",
        "127.0.0.1:%d" % ports["coop"], "--role", "coop", "--name", "coop")
    run("peer", "add", "--dir", home("anna"), "--key", key["breda"], "--role", "municipality",
        "--name", "breda")
    # The rules reach the coop before its members are enrolled.
    bundle = home("breda.bundle")
    with open(bundle, "wb") as f:
        subprocess.run([COOP, "log", "export", "--dir", home("breda")], stdout=f,
                       stderr=subprocess.DEVNULL, env=env(), check=True)
    run("log", "import", "--dir", home("coop"), bundle)
    ids = {}
    ids["anna"] = out("member", "add", "--dir", home("coop"), "--name", "Anna de Vries",
                      "--municipality", "breda", "--client-ref", "BR-1001", "--birth", "1990-05",
                      "--member-key", key["anna"])
    ids["bram"] = out("member", "add", "--dir", home("coop"), "--name", "Bram Bakker",
                      "--municipality", "breda", "--client-ref", "BR-1002", "--birth", "1985-09")
    for args in (("revenue", "anna", "800", "2026-03-10"), ("cost", "anna", "200", "2026-03-12"),
                 ("revenue", "bram", "600", "2026-03-14"), ("cost", "bram", "100", "2026-03-15"),
                 ("allowance", "bram", "250", "2026-03-28")):
        run("record", args[0], "--member", ids[args[1]], "--amount", args[2], "--date", args[3],
            "--dir", home("coop"))
    links = {}
    links["admin"] = out("web", "user", "add", "beheer", "--role", "admin", "--dir", home("coop"))
    links["officer"] = out("web", "user", "add", "ambtenaar", "--role", "officer", "--dir",
                           home("breda"))
    links["anna"] = out("web", "invite", "--member", "BR-1001", "--dir", home("coop"))
    links["bram"] = out("web", "invite", "--member", "Bram Bakker", "--dir", home("coop"))
    # Anna's own node serves on the real clock (see the throttling check).
    links["anna_own"] = out("web", "user", "add", "anna", "--role", "member", "--dir",
                            home("anna"), fixed_clock=False)
    for name, port in (("breda", "breda"), ("coop", "coop")):
        start(name, ["node", "run", "--dir", home(name), "--listen",
                     "127.0.0.1:%d" % ports[port], "--http",
                     "127.0.0.1:%d" % ports[port + "_http"]])
    for name in ("breda", "coop"):
        if not wait_until(60, lambda: "serving the web app" in open(home(name + ".log")).read()
                          or Client("http://127.0.0.1:%d" % ports[name + "_http"]).get("/login")
                          .status == 200):
            fatal("%s's web app did not start" % name)
    return ids, links, key


def main():
    global ids, links, keys, coop_url, breda_url, anna_url
    ids, links, keys = setup()
    coop_url = "http://127.0.0.1:%d" % ports["coop_http"]
    breda_url = "http://127.0.0.1:%d" % ports["breda_http"]
    anna_url = "http://127.0.0.1:%d" % ports["anna_http"]

    # ---- accounts: welcome links and logins --------------------------------------------------------

    admin = Client(coop_url)
    r = admin.welcome(links["admin"])
    check("welcome: the admin's link sets a password and leads to /login",
          r.status == 303 and r.location == "/login", (r.status, r.location, r.body[:300]))
    r = admin.welcome(links["admin"])
    check("welcome: a used link is 404", r.status == 404, r.status)
    r = Client(coop_url).get("/welcome?token=" + "ab" * 32)
    check("welcome: an unknown token is 404 (GET)", r.status == 404, r.status)
    r = Client(coop_url).post("/welcome", {"token": "ab" * 32, "form_token": "", "password": "x" * 12})
    check("welcome: an unknown token is 404 (POST)", r.status == 404, r.status)
    r = admin.login("beheer")
    check("login: the admin logs in (303 to /, coop_session set)",
          r.status == 303 and r.location == "/" and any(k.startswith("coop_session") for k in admin.cookies) and admin.csrf,
          (r.status, r.location, admin.cookies))

    officer = Client(breda_url)
    r = officer.welcome(links["officer"])
    r = officer.login("ambtenaar") if r.status == 303 else r
    check("login: the officer sets a password and logs in", r.status == 303 and officer.csrf,
          (r.status, r.body[:300]))

    anna = Client(coop_url)
    short = Client(coop_url)
    r = short.welcome(links["anna"], password="short", name="anna.web")
    check("welcome: a password under 10 characters is refused (422), the link still works",
          r.status == 422 and short.get(urllib.parse.urlsplit(links["anna"]).path + "?" +
                                        urllib.parse.urlsplit(links["anna"]).query).status == 200,
          r.status)
    r = anna.welcome(links["anna"], name="anna.web")
    r = anna.login("anna.web") if r.status == 303 else r
    check("login: Anna creates her login through her invitation and logs in",
          r.status == 303 and anna.csrf, (r.status, r.body[:300]))
    bram = Client(coop_url)
    r = bram.welcome(links["bram"], name="bram.web")
    r = bram.login("bram.web") if r.status == 303 else r
    check("login: Bram creates his login through his invitation", r.status == 303, r.status)

    # The form's double-submit token.
    c = Client(coop_url)
    c.get("/login")
    r = c.post("/login", {"form_token": "00" * 32, "name": "beheer", "password": PASSWORD})
    check("login: a form token that is not the cookie's is refused (403)", r.status == 403, r.status)

    # ---- the command line's refusals ------------------------------------------------------------------

    rc, _, err = run("web", "--http", "0.0.0.0:%d" % ports["public"], "--dir", home("coop"), ok=False)
    check("cli: 'coop web --http 0.0.0.0:PORT' without TLS is refused naming http_cert and http_key",
          rc != 0 and "http_cert" in err and "http_key" in err, (rc, err))
    rc, _, err = run("node", "run", "--dir", home("anna"), "--listen",
                     "127.0.0.1:%d" % ports["spare"], "--http", "0.0.0.0:%d" % ports["public"], ok=False)
    check("cli: 'coop node run --http 0.0.0.0:PORT' without TLS is refused naming http_cert and http_key",
          rc != 0 and "http_cert" in err and "http_key" in err, (rc, err))
    check_tls()
    for role, node in (("officer", "coop"), ("member", "coop"), ("admin", "breda"),
                       ("member", "breda"), ("admin", "anna"), ("officer", "anna")):
        rc, link, err = run("web", "user", "add", "x-" + role, "--role", role, "--dir", home(node),
                            ok=False)
        check("cli: 'web user add --role %s' on the %s node is refused" % (role, node),
              rc != 0 and not link, (rc, link, err))
    rc, link, err = run("web", "user", "add", "beheer", "--role", "admin", "--dir", home("coop"), ok=False)
    check("cli: 'web user add' of a name taken is refused", rc != 0 and not link, (rc, link, err))
    rc, link, err = run("web", "invite", "--member", "m-000000", "--dir", home("coop"), ok=False)
    check("cli: 'web invite' of an unknown member is refused", rc != 0 and not link, (rc, link, err))

    # ---- the admin adds a member named like a script ----------------------------------------------------

    r = admin.form("/members/new", {"name": XSS_NAME, "municipality": "breda", "client_ref": XSS_REF,
                                    "birth": "1992-11"})
    check("admin: /members/new adds a member (303 to her page)",
          r.status == 303 and r.location.startswith("/member?id=m-"), (r.status, r.location, r.page.alerts))
    ids["xss"] = r.location.split("=", 1)[1] if r.status == 303 else "m-000000"
    members_cli = out("member", "list", "-O", "json", "--dir", home("coop"))
    check("admin: the member added through the web is in 'coop member list' with her name and ref",
          XSS_NAME in json.loads(members_cli).__repr__() and ids["xss"] in members_cli, members_cli[:500])

    # A good record through the web.
    before = snapshot()
    r = admin.form("/record", {"type": "revenue", "member": ids["xss"], "amount": "321,50",
                               "date": "2026-03-16", "note": "via web"})
    reg = out("reg", "--dir", home("coop"))
    check("record: a good record through the web is accepted and appears in 'coop reg'",
          r.status == 200 and not r.page.alerts and "Geboekt als entry" in r.body and
          re.search(r"2026-03-16\s+revenue\s+%s.*321\.50.*via web" % ids["xss"], reg),
          (r.status, r.page.alerts, reg[-600:]))
    check("record: the log grew by exactly one entry", int(snapshot()["size"]) == int(before["size"]) + 1,
          (before["size"], snapshot()["size"]))

    # ---- CSRF -------------------------------------------------------------------------------------------

    good_record = {"type": "revenue", "member": ids["anna"], "amount": "10", "date": "2026-03-20"}
    before = snapshot()
    for what, fields in (("no csrf", good_record), ("a wrong csrf", dict(good_record, csrf="0" * 64)),
                         ("a short csrf", dict(good_record, csrf="abc")),
                         ("another session's csrf", dict(good_record, csrf=bram.csrf or "x"))):
        r = admin.post("/record", fields)
        check("csrf: POST /record with %s is 403" % what, r.status == 403, r.status)
    for path, fields in (("/close", {"p": "2026-03"}),
                         ("/members/new", {"name": "Eve", "municipality": "breda", "client_ref": "E-1"}),
                         ("/member/edit", {"id": ids["anna"], "name": "Mallory"}),
                         ("/reissue", {"id": ids["anna"], "p": "2026-03"}),
                         ("/logout", {})):
        r = admin.post(path, fields)
        check("csrf: POST %s without csrf is 403" % path, r.status == 403, r.status)
    after = snapshot()
    check("csrf: after the refused forms the log, books and verify are unchanged", before == after,
          (before, after))
    check("csrf: the admin's session still works after a refused logout", admin.get("/").status == 200)
    r = officer.post("/", {"csrf": "1" * 64})
    check("csrf: the officer's POST with a wrong csrf is 403", r.status == 403, r.status)

    # ---- the record form's refusals: the CLI's messages, nothing changed ---------------------------------

    def cli_message(args):
        rc, _, err = run(*args, "--dir", home("coop"), ok=False)
        line = err.splitlines()[0] if err else ""
        line = re.sub(r"^coop: error: ", "", line)
        return rc, re.sub(r"^--(amount|hours) ", "", line)


    def bad_cases(date_ok):
        m = ids["anna"]
        cases = []
        for amount in ("12.345", "1.234", "0", "-5", "1e3", "", "12.", "1.000,00", "100000000001",
                       "100000000000"):
            cases.append(("amount %r" % amount, {"type": "revenue", "member": m, "amount": amount,
                                                 "date": date_ok},
                          ["record", "revenue", "--member", m, "--amount", amount, "--date", date_ok]))
        for date in ("2026-02-30", "2026-13-01", "26-01-01", "2025-02-29", ""):
            cases.append(("date %r" % date, {"type": "revenue", "member": m, "amount": "10",
                                             "date": date},
                          ["record", "revenue", "--member", m, "--amount", "10", "--date", date]))
        cases.append(("unknown member", {"type": "revenue", "member": "m-000000", "amount": "10",
                                         "date": date_ok},
                      ["record", "revenue", "--member", "m-000000", "--amount", "10", "--date", date_ok]))
        cases.append(("unknown member name", {"type": "revenue", "member": "Nobody", "amount": "10",
                                              "date": date_ok},
                      ["record", "revenue", "--member", "Nobody", "--amount", "10", "--date", date_ok]))
        for kind in ("salary", "correction", "profit-split"):
            cases.append(("type %r" % kind, {"type": kind, "member": m, "amount": "10", "date": date_ok},
                          ["record", kind, "--member", m, "--amount", "10", "--date", date_ok]))
        cases.append(("hours 745", {"type": "hours", "member": m, "amount": "745", "date": date_ok},
                      ["record", "hours", "--member", m, "--hours", "745", "--date", date_ok]))
        return cases


    # The most common mistakes: a Dutch page leads with node/wording.c's Dutch
    # sentence (node_form_error_dutch) and puts the CLI's words beside; an
    # English page shows the CLI's words alone.
    form_dutch = {
        "amount": "Dit is geen bedrag om te boeken: een positief bedrag in euro, hoogstens twee "
                  "decimalen, zonder euroteken of punt voor duizendtallen (bijv. 1234,56)",
        "date": "Dit is geen bestaande datum: kies een dag (JJJJ-MM-DD)",
        "unknown member": "Geen lid gevonden met dit lidnummer, klantnummer of deze naam",
        "type": "Deze soort boeking kan hier niet worden geboekt",
        "a date in the closed month": "Deze maand is al afgesloten: boek met een datum in een open maand",
        "a date before the first month": "Deze datum ligt vóór de eerste maand van de boeken: "
                                         "daarvoor kan niets worden geboekt",
    }
    # An amount over the most one record may hold is a limit, not a typo:
    # the node's words alone.
    node_words_only = {"amount '100000000000'"}

    def dutch_lead(name):
        if name in node_words_only:
            return None
        return next((lead for key, lead in form_dutch.items()
                     if name == key or name.startswith(key + " ")), None)

    def refusals(label, cases, english=False):
        before = snapshot()
        if english:
            admin.get("/lang?to=en")
        for name, fields, args in cases:
            rc, want = cli_message(args)
            r = admin.form("/record", fields)
            got = r.page.alerts[0] if r.page.alerts else ""
            lead = None if english else dutch_lead(name)
            said = "%s (%s)" % (lead, want) if lead else want
            check("record %s: %s refused (422)%s the CLI's words" %
                  (label, name, " in Dutch, beside" if lead else " with"),
                  rc != 0 and r.status == 422 and want and got == said,
                  "cli exit %d %r / web %d %r" % (rc, said, r.status, got))
        if english:
            admin.get("/lang?to=nl")
        after = snapshot()
        check("record %s: after %d refusals the log, books, register and verify are unchanged" %
              (label, len(cases)), before == after and after["verify"] == 0, (before, after))


    refusals("(open month)", bad_cases("2026-03-20"))
    refusals("(open month, English page)", bad_cases("2026-03-20")[::4], english=True)

    # ---- the close: preview, then the close itself ----------------------------------------------------------

    before = snapshot()
    preview = admin.get("/close?p=2026-03")
    after = snapshot()
    check("close: GET /close?p=2026-03 is 200 with a close form", preview.status == 200 and
          'action="/close"' in preview.body, preview.status)
    check("close: the preview changes nothing (log size, books, verify)", before == after,
          (before["size"], after["size"]))
    preview_rows = {}
    for row in preview.page.rows:
        m = re.search(r"\((m-[0-9a-f]{6})\)", row[0]) if row else None
        if m and len(row) == 7:
            preview_rows[m.group(1)] = [cents(x) for x in row[2:]]
    check("escaping: the close preview shows the name escaped, never raw",
          "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.body and XSS_NAME not in preview.body)
    check("close: the preview lists every member with income (3 rows)",
          set(preview_rows) == {ids["anna"], ids["bram"], ids["xss"]}, preview_rows)
    check("close: the overview's link (/close?p=YYYYMM) shows the same preview",
          admin.get("/close?p=202603").page.rows == preview.page.rows)

    r = admin.form("/close", {"p": "2026-03"})
    check("close: POST /close closes the month (200, 'is afgesloten')",
          r.status == 200 and "is afgesloten" in r.body, (r.status, r.page.alerts))
    for who in ("anna", "bram", "xss"):
        rc, text, err = run("statement", "--member", ids[who], "-p", "2026-03", "-O", "json", "--dir",
                            home("coop"), ok=False)
        try:
            s = json.loads(text)["statement"]
            written = [s["profit"], s["coop_share"], s["to_municipality"], s["to_budget"], s["benefit"]]
        except Exception:
            written = (rc, text, err)
        check("close: the preview's figures of %s equal the statement the close wrote" % who,
              preview_rows.get(ids[who]) == written, (preview_rows.get(ids[who]), written))
    r = admin.form("/close", {"p": "2026-03"})
    check("close: closing it again is refused (422) with a message", r.status == 422 and r.page.alerts,
          (r.status, r.page.alerts))

    # ---- the year close: the form, and refusals that change nothing ------------------------------------------
    before = snapshot()
    page = admin.get("/year-close")
    check("year close: GET /year-close is 200 with a form for 2026", page.status == 200 and
          'action="/year-close"' in page.body and 'value="2026"' in page.body, page.status)
    r = admin.form("/year-close", {"y": "2026"})
    check("year close: 2026 with April open is refused (422) naming the open month",
          r.status == 422 and any("2026-04 is open" in a for a in r.page.alerts),
          (r.status, r.page.alerts))
    r = admin.form("/year-close", {"y": "twenty"})
    check("year close: a malformed year is refused (422)", r.status == 422 and r.page.alerts,
          (r.status, r.page.alerts))
    check("year close: the refusals change nothing", snapshot() == before)

    refusals("(closed month)", [
        ("a date in the closed month", {"type": "revenue", "member": ids["anna"], "amount": "10",
                                        "date": "2026-03-20"},
         ["record", "revenue", "--member", ids["anna"], "--amount", "10", "--date", "2026-03-20"]),
        ("a date before the first month", {"type": "revenue", "member": ids["anna"], "amount": "10",
                                           "date": "2026-01-20"},
         ["record", "revenue", "--member", ids["anna"], "--amount", "10", "--date", "2026-01-20"]),
    ])

    # A status fact reaching back into the closed month: the Dutch sentence, the node's words beside.
    before = snapshot()
    r = admin.form("/member/fact", {"id": ids["anna"], "field": "medical-limit", "value": "yes",
                                    "from": "2026-03"})
    got = r.page.alerts[0] if r.page.alerts else ""
    check("member fact: reaching into the closed month is refused (422) in Dutch, the node's words beside",
          r.status == 422 and got.startswith("Dit raakt maanden die al zijn afgesloten (from 2026-03 "
                                             "reaches back into closed months") and
          snapshot() == before, (r.status, got))

    # A fact that already holds from its month (no medical limit was ever set): nothing appended.
    before = snapshot()
    r = admin.form("/member/fact", {"id": ids["anna"], "field": "medical-limit", "value": "no",
                                    "from": "2026-04"})
    check("member fact: one already in force says so (200) and appends nothing",
          r.status == 200 and "Dat was al zo: niets vastgelegd." in r.body and snapshot() == before,
          (r.status, r.page.alerts))

    # ---- the municipality acknowledges --------------------------------------------------------------------------

    def acknowledged():
        r = officer.get("/?p=2026-03")
        statuses = [row[3] for row in r.page.rows if len(row) == 6 and row[1] in
                    ("BR-1001", "BR-1002", XSS_REF)]
        return r.status == 200 and statuses == ["akkoord"] * 3


    check("officer: Breda's node audits the statements by itself and the report shows 'akkoord' for all three",
          wait_until(180, acknowledged), officer.get("/?p=2026-03").page.rows)
    report = officer.get("/?p=2026-03")
    cards = re.findall(r'status-([a-z-]+)">[^<]*</span><div class="big">(\d+)</div>', report.body)
    check("officer: the report's counts say 3 acknowledged, 0 disputed",
          ("acknowledged", "3") in cards and ("disputed", "0") in cards, cards)
    report_cli = json.loads(out("audit", "report", "-p", "2026-03", "-O", "json", "--dir", home("breda")))
    check("officer: the CLI's audit report agrees (3 acknowledged)",
          sorted(x["status"] for x in report_cli) == ["acknowledged"] * 3, report_cli)
    check("admin: the coop learns the verdicts (its member page shows 'akkoord')",
          wait_until(120, lambda: "akkoord" in admin.get("/member?id=" + ids["anna"]).body))

    # ---- every page for every role -------------------------------------------------------------------------------

    coop_log = keys["coop"]
    coop_log_hex = None
    m = re.search(r'/resident\?coop=([0-9a-f]{64})&amp;id=(m-[0-9a-f]{6})', report.body)
    coop_log_hex = m.group(1) if m else "00" * 32
    admin_pages = {"/": 200, "/members": 200, "/members?q=Anna": 200, "/members/new": 200,
                   "/member?id=" + ids["anna"]: 200, "/member?id=BR-1002": 200,
                   "/member?id=Bram%20Bakker": 200, "/member?id=%s&year=2025" % ids["anna"]: 200,
                   "/member?id=m-000000": 404, "/record": 200, "/record?member=" + ids["bram"]: 200,
                   "/close": 200, "/close?p=2026-04": 200, "/close?p=bogus": 400, "/disputes": 200,
                   "/statement?id=%s&p=202603" % ids["anna"]: 200,
                   "/statement?id=%s&p=2026-03" % ids["bram"]: 200, "/statement?id=m-000000&p=202603": 404,
                   "/rules": 404, "/report.csv": 404, "/resident?coop=%s&id=%s" % (coop_log_hex, ids["anna"]): 404,
                   "/receipt?p=2026-03": 404, "/nothing": 404, "/style.css": 200, "/year?y=2026": 404,
                   "/year?id=%s&y=2026" % ids["anna"]: 200, "/year?id=m-000000&y=2026": 404,
                   "/year?id=%s&y=2031" % ids["anna"]: 404}
    officer_pages = {"/": 200, "/?p=2026-03": 200, "/?p=2026-02": 200, "/report.csv?p=2026-03": 200,
                     "/?p=2026-13": 400, "/report.csv?p=03-2026": 400,
                     "/resident?coop=%s&id=%s" % (coop_log_hex, ids["anna"]): 200,
                     "/resident?id=short": 404, "/statement?id=%s&p=202603" % ids["anna"]: 200,
                     "/rules": 200, "/members": 404, "/member?id=" + ids["anna"]: 404, "/record": 404,
                     "/close": 404, "/receipt?p=2026-03": 404, "/nothing": 404, "/year?y=2026": 200,
                     "/year?y=2031": 404, "/year?y=x": 400}
    member_pages = {"/": 200, "/statement?p=2026-03": 200, "/statement?p=202603": 200,
                    "/receipt?p=2026-03": 200, "/receipt?p=2026-02": 404, "/members": 404,
                    "/member?id=" + ids["bram"]: 404, "/members/new": 404, "/record": 404, "/close": 404,
                    "/disputes": 404, "/rules": 404, "/report.csv?p=2026-03": 404,
                    "/resident?coop=%s&id=%s" % (coop_log_hex, ids["bram"]): 404, "/nothing": 404,
                    "/year?y=2026": 200, "/year?y=2031": 404, "/year?y=20x6": 400, "/year?y=2025": 404}


    def page_matrix(label, client, pages):
        wrong = []
        for path, status in pages.items():
            r = client.get(path)
            if r.status != status:
                wrong.append("%s: %d (want %d) %s" % (path, r.status, status, r.page.alerts))
        check("pages: every page's status for the %s (%d pages)" % (label, len(pages)), not wrong,
              "; ".join(wrong))


    page_matrix("admin", admin, admin_pages)
    r = admin.get("/member?id=Nobody%20Here")
    check("pages: an unknown member is said in Dutch first, the node's words beside",
          r.status == 404 and "Geen lid gevonden met dit lidnummer, klantnummer of deze naam (no member"
          in r.body, (r.status, r.page.alerts))
    r = admin.get("/year?id=%s&y=2031" % ids["anna"])
    check("pages: a year statement that cannot be made is said in Dutch first, the node's words beside",
          r.status == 404 and "De jaaropgave kon niet worden gemaakt. (" in r.body, (r.status, r.page.alerts))
    r = admin.request("PUT", "/")
    check("pages: a method other than GET or POST is 405, in Dutch",
          r.status == 405 and "Alleen GET of POST." in r.body, (r.status, r.body[:300]))
    page_matrix("officer", officer, officer_pages)
    r = officer.get("/resident?coop=%s&id=%s" % (coop_log_hex, ids["anna"]))
    check("pages: the officer's resident page names her (name, id, client ref, coop)",
          r.status == 200 and "<p>Anna de Vries (%s), klantnummer BR-1001 · " % ids["anna"] in r.body,
          r.status)
    r = officer.get("/year?y=2031")
    check("pages: the officer's year out of range is said in Dutch first",
          r.status == 404 and "Geen jaaroverzicht van dit jaar (year 2031" in r.body, r.status)
    page_matrix("member on the coop's node", anna, member_pages)

    r = admin.get("/")
    check("admin: the overview shows the open month April 2026 and 3 members",
          "april 2026" in r.body and re.search(r'href="/members">3<', r.body), r.body[:2000])
    r = anna.get("/year?y=2026")
    year = json.loads(out("statement", "--member", ids["anna"], "--year", "2026", "-O", "json",
                          "--dir", home("coop")))
    foot = re.search(r"<tfoot>(.*?)</tfoot>", r.body, re.S)
    foot_cents = [cents(html.unescape(x)) for x in
                  re.findall(r'<td class="amount">([^<]*)</td>', foot.group(1))] if foot else []
    t = year["totals"]
    check("member: her jaaropgave page totals the CLI's year (revenue, coop, to the municipality, "
          "budget) and names the open months",
          r.status == 200 and "Jaaropgave 2026" in r.body and 'id="open-months"' in r.body and
          "2026-04" in r.body and foot_cents[:1] == [t["revenue"]] and
          foot_cents[2:3] == [t["coop_share"]] and foot_cents[5:7] == [t["to_municipality"], t["to_budget"]]
          and t["revenue"] > 0 and 'href="/year?y=2026"' in anna.get("/").body,
          (foot_cents, t, r.body[:1500]))
    r = officer.get("/year?y=2026")
    overview = json.loads(out("audit", "report", "--year", "2026", "-O", "json", "--dir", home("breda")))
    last = re.findall(r'<tr class="total">(.*?)</tr>', r.body, re.S)
    last_cents = [cents(html.unescape(x)) for x in
                  re.findall(r'<td class="amount">([^<]*)</td>', last[-1])] if last else []
    check("officer: the year overview totals what 'coop audit report --year' totals, a total row "
          "per resident and one for all",
          r.status == 200 and len(last) == len(overview["residents"]) + 1 and
          last_cents == [overview["totals"][k] for k in ("counted_income", "offset", "benefit", "to_municipality")]
          and overview["totals"]["to_municipality"] > 0 and 'href="/year?y=2026"' in officer.get("/?p=2026-03").body,
          (last_cents, overview["totals"], r.body[-1500:]))
    r = admin.get("/members?q=Bram")
    check("admin: /members?q=Bram finds Bram only", "BR-1002" in r.body and "BR-1001" not in r.body)
    r = anna.get("/")
    check("member: Anna's page on the coop's node shows her month and what she keeps",
          r.status == 200 and "Anna de Vries" in r.body and "maart 2026" in r.body and
          "u houdt het" in r.body, r.body[:1500])

    # Unauthenticated.
    stranger = Client(coop_url)
    wrong = []
    for path in list(admin_pages) + ["/statement?p=2026-03", "/receipt?p=2026-03"]:
        if path == "/style.css":
            continue
        r = stranger.get(path)
        if r.status != 303 or r.location != "/login":
            wrong.append("%s: %d %s" % (path, r.status, r.location))
    check("pages: unauthenticated GETs are 303 to /login", not wrong, wrong)
    wrong = []
    before = snapshot()
    for path in ("/record", "/close", "/members/new", "/member/edit", "/reissue", "/logout", "/"):
        r = stranger.post(path, {"csrf": admin.csrf, "type": "revenue", "member": ids["anna"],
                                 "amount": "10", "date": "2026-04-03", "p": "2026-04", "name": "Eve",
                                 "municipality": "breda", "client_ref": "E-2", "id": ids["anna"]})
        if r.status != 403:
            wrong.append("%s: %d" % (path, r.status))
    check("pages: unauthenticated POSTs are 403 (even with a valid csrf) and change nothing",
          not wrong and snapshot() == before, wrong)
    wrong = [p for p in ("/", "/?p=2026-03", "/rules", "/report.csv") if
             Client(breda_url).get(p).status != 303]
    check("pages: unauthenticated GETs on the municipality's node are 303", not wrong, wrong)

    # ---- a member never sees another member's data ---------------------------------------------------------------

    bram_marks = ("Bram", "BR-1002", ids["bram"])
    xss_marks = (ids["xss"], "x1")
    leaks = []
    for path in ("/member?id=" + ids["bram"], "/member?id=BR-1002", "/statement?id=%s&p=2026-03" % ids["bram"],
                 "/statement?id=BR-1002&p=202603", "/statement?p=2026-03&id=" + ids["bram"],
                 "/receipt?p=2026-03&id=" + ids["bram"], "/receipt?id=%s&p=2026-03" % ids["bram"],
                 "/receipt?p=2026-03&member=" + ids["bram"], "/?id=" + ids["bram"],
                 "/?member=" + ids["bram"], "/members?q=Bram",
                 "/resident?coop=%s&id=%s" % (coop_log_hex, ids["bram"]), "/year?y=2026&id=" + ids["bram"]):
        r = anna.get(path)
        seen = [mark for mark in bram_marks + xss_marks if mark in r.body]
        if r.status == 200 and seen:
            leaks.append("%s: %s" % (path, seen))
        if path.startswith("/receipt") and r.status == 200:
            try:
                receipt = json.loads(r.body)
                if ids["bram"] in json.dumps(receipt):
                    leaks.append(path + ": Bram's receipt")
            except ValueError:
                leaks.append(path + ": not JSON")
    check("isolation: Anna's account on the coop's node never gets Bram's data (13 tries)", not leaks, leaks)
    r = anna.get("/receipt?p=2026-03&id=" + ids["bram"])
    check("isolation: /receipt with another id gives Anna's own receipt",
          r.status == 200 and ids["anna"] in r.body and "attachment" in r.headers.get("Content-Disposition", ""),
          (r.status, r.body[:200]))
    r = bram.get("/statement?id=%s&p=2026-03" % ids["anna"])
    check("isolation: Bram asking for Anna's statement sees his own",
          r.status == 200 and "Bram Bakker" in r.body and "Anna" not in r.body and "BR-1001" not in r.body,
          r.body[:800])
    r = anna.post("/member/edit", {"csrf": anna.csrf, "id": ids["bram"], "name": "Hacked"})
    check("isolation: a member's POST to an admin form is 404 and changes nothing",
          r.status == 404 and "Hacked" not in out("member", "list", "--dir", home("coop")), r.status)

    # ---- escaping -------------------------------------------------------------------------------------------------

    admin.form("/record", {"type": "revenue", "member": ids["xss"], "amount": "5",
                           "date": "2026-04-01", "note": XSS_NAME})
    escaped_pages = [
        (admin, "/members"), (admin, "/members?q=" + urllib.parse.quote(XSS_NAME)),
        (admin, "/member?id=" + ids["xss"]), (admin, "/statement?id=%s&p=202603" % ids["xss"]),
        (admin, "/record?member=" + urllib.parse.quote(XSS_NAME)),
        (officer, "/?p=2026-03"), (officer, "/resident?coop=%s&id=%s" % (coop_log_hex, ids["xss"])),
        (officer, "/statement?id=%s&p=202603" % ids["xss"]),
    ]
    raw = []
    shown = []
    for client, path in escaped_pages:
        r = client.get(path)
        for needle in (XSS_NAME, XSS_REF, "<script"):
            if needle in r.body:
                raw.append("%s: %r" % (path, needle))
        if "&lt;script&gt;alert(1)&lt;/script&gt;" not in r.body and "/resident" not in path:
            shown.append("%s: %d" % (path, r.status))
    check("escaping: the name and client ref never appear raw in any HTML body (%d pages)" %
          len(escaped_pages), not raw, raw)
    check("escaping: the name is shown escaped on each of them", not shown, shown)
    r = admin.get("/member?id=" + ids["xss"])
    check("escaping: the client ref is shown escaped (&quot;&#39;&amp;&lt;&gt;) and reads back as itself",
          "&quot;&#39;&amp;&lt;&gt;x1" in r.body and r.page.inputs.get("client_ref") == XSS_REF,
          r.page.inputs.get("client_ref"))
    r = admin.form("/members/new", {"name": "", "municipality": "breda",
                                    "client_ref": XSS_REF + "<b>"})
    check("escaping: a refused form echoes its values escaped (422)",
          r.status == 422 and "<b>" not in r.body.split("</header>", 1)[1], r.status)
    r = officer.get("/report.csv?p=2026-03")
    rows = list(csv.reader(io.StringIO(r.body)))
    xss_rows = [row for row in rows if len(row) == 7 and row[3] == XSS_NAME]
    check("escaping: the CSV quotes every cell; its name and ref read back exactly",
          r.status == 200 and r.headers.get("Content-Type", "").startswith("text/csv") and
          len(xss_rows) == 1 and xss_rows[0][2] == XSS_REF and '"""\'&<>x1"' in r.body and
          all(line.startswith('"') for line in r.body.splitlines()[1:] if line),
          (r.status, r.body[:600]))
    check("escaping: the CSV is a download (Content-Disposition attachment)",
          "attachment" in r.headers.get("Content-Disposition", ""), r.headers.get("Content-Disposition"))
    check("report: the CSV lists the three residents as acknowledged",
          sorted(row[4] for row in rows[1:] if len(row) == 7) == ["acknowledged"] * 3, rows)

    # ---- Anna's own node ---------------------------------------------------------------------------------------------

    rc, _, err = run("sync", "--dir", home("anna"), "--quiet", ok=False)
    check("own node: Anna's node syncs with the coop", rc == 0, err)
    start("anna", ["web", "--http", "127.0.0.1:%d" % ports["anna_http"], "--dir", home("anna")],
          fixed_clock=False)
    own = Client(anna_url)
    if not wait_until(60, lambda: own.get("/login").status == 200):
        fatal("Anna's web app did not start")
    r = own.welcome(links["anna_own"])
    r = own.login("anna") if r.status == 303 else r
    check("own node: Anna sets her password and logs in", r.status == 303 and own.csrf, r.status)
    page_matrix("member on her own node", own, dict(member_pages, **{
        "/resident?coop=%s&id=%s" % (coop_log_hex, ids["bram"]): 404}))
    r = own.get("/")
    check("own node: her page shows her month and what she keeps",
          "maart 2026" in r.body and "u houdt het" in r.body and "Anna" in r.body, r.body[:1500])
    r = own.get("/receipt?p=2026-03")
    try:
        receipt = json.loads(r.body)
    except ValueError:
        receipt = None
    check("own node: her receipt is a JSON download", r.status == 200 and receipt is not None and
          r.headers.get("Content-Type") == "application/json", (r.status, r.body[:200]))
    if receipt is not None:
        path = home("anna-receipt.json")
        with open(path, "w") as f:
            f.write(r.body)
        fingerprint = json.loads(out("id", "-O", "json", "--dir", home("breda")))["fingerprint"]
        rc, text, err = run("receipt", "verify", path, "--municipality", fingerprint, ok=False)
        check("own node: the downloaded receipt verifies ('coop receipt verify')", rc == 0,
              (rc, text, err))
    leaks = []
    for path in ("/statement?id=%s&p=2026-03" % ids["bram"], "/receipt?p=2026-03&id=" + ids["bram"],
                 "/member?id=" + ids["bram"], "/?id=" + ids["bram"], "/year?y=2026&id=" + ids["bram"]):
        r = own.get(path)
        if r.status == 200 and any(mark in r.body for mark in bram_marks):
            leaks.append(path)
    check("isolation: Anna's own node never shows Bram's data", not leaks, leaks)

    # ---- headers and cookies ------------------------------------------------------------------------------------------

    missing = []
    for what, r in every_response:
        h = r.headers
        problems = []
        if "default-src 'none'" not in (h.get("Content-Security-Policy") or ""):
            problems.append("CSP")
        if h.get("X-Frame-Options") != "DENY":
            problems.append("X-Frame-Options")
        if h.get("X-Content-Type-Options") != "nosniff":
            problems.append("nosniff")
        if h.get("Cache-Control") != "no-store":
            problems.append("Cache-Control")
        if problems:
            missing.append("%s (%d): %s" % (what, r.status, problems))
    check("headers: CSP, X-Frame-Options DENY, nosniff, Cache-Control no-store on all %d responses" %
          len(every_response), not missing, missing[:10])
    bad = []
    cookies = 0
    for what, r in every_response:
        for cookie in r.headers.get_all("Set-Cookie") or []:
            cookies += 1
            if "HttpOnly" not in cookie or "SameSite=Strict" not in cookie or "Path=/" not in cookie:
                bad.append("%s: %s" % (what, cookie))
    check("cookies: every Set-Cookie (%d) is HttpOnly, SameSite=Strict, Path=/" % cookies,
          cookies > 5 and not bad, bad[:5])
    r = admin.get("/lang?to=en")
    check("language: /lang?to=en sets coop_lang and English pages follow",
          r.status == 303 and admin.cookies.get("coop_lang") == "en" and
          "Overview" in admin.get("/").body)
    admin.get("/lang?to=nl")

    # ---- a member moves to another municipality ------------------------------------------------------------------

    # A municipality the coop learns of while its web app runs: the page
    # reads node.conf again when it changes (as the daemon does on SIGHUP).
    run("init", "--role", "municipality", "--name", "Gemeente Tilburg", "--dir", home("tilburg"))
    tilburg = json.loads(out("id", "-O", "json", "--dir", home("tilburg")))["public_key"]
    run("peer", "add", "--dir", home("coop"), "--key", tilburg, "--role", "municipality",
        "--name", "tilburg")
    r = admin.form("/members/new", {"name": "Vera Verhuis", "municipality": "breda",
                                    "client_ref": "BR-7001", "birth": "1985-05"})
    mover = r.location.split("=", 1)[1] if r.status == 303 else "m-000000"
    page = admin.get("/member?id=" + mover)
    check("move: the member page offers the municipality added since the web app started",
          'value="tilburg"' in page.body and 'action="/member/move"' in page.body, page.status)
    before = snapshot()
    refused = []
    for fields in ({"municipality": "breda", "from": "2026-04"},     # where she lives
                   {"municipality": "nergens", "from": "2026-04"},   # no such municipality
                   {"municipality": "tilburg", "from": "2026-03"},   # a closed month
                   {"municipality": "tilburg", "from": "april"}):    # not a month
        r = admin.form("/member/move", dict(fields, id=mover))
        if r.status != 422 or not r.page.alerts:
            refused.append((fields, r.status, r.page.alerts))
    check("move: a move to her own municipality, an unknown one, a closed month or no month is "
          "refused (422) with a message", not refused, refused)
    check("move: the refusals changed nothing (log size, books, verify)", snapshot() == before,
          (before["size"], snapshot()["size"]))
    r = admin.form("/member/move", {"id": mover, "municipality": "tilburg", "from": "2026-04",
                                    "new_client_ref": "TB-9001"})
    shown = out("member", "show", mover, "--dir", home("coop"))
    check("move: a move from an open month is recorded (200) and 'coop member show' names Tilburg "
          "and the new client ref", r.status == 200 and "tilburg" in shown and "TB-9001" in shown,
          (r.status, r.page.alerts, shown[:300]))

    # ---- erasing a member (AVG) --------------------------------------------------------------------------------------

    page = admin.get("/member/erase?id=" + mover)
    check("erase: the member page links to the erasure form, which asks for a reason and a "
          "confirmation", 'href="/member/erase?id=' + mover in admin.get("/member?id=" + mover).body and
          'name="reason"' in page.body and 'name="sure"' in page.body, page.status)
    before = snapshot()
    refused = []
    for fields in ({"reason": "verzoek art. 17 AVG", "sure": "1"},                    # still a member
                   {"reason": "uitspraak rechter", "before_retention": "1"},           # not confirmed
                   {"reason": "", "before_retention": "1", "sure": "1"}):              # no reason
        r = admin.form("/member/erase", dict(fields, id=mover))
        if r.status != 422 or not r.page.alerts:
            refused.append((fields, r.status, r.page.alerts))
    check("erase: a current member, no confirmation or no reason is refused (422) with a message",
          not refused, refused)
    check("erase: the refusals changed nothing", snapshot() == before, (before["size"], snapshot()["size"]))
    r = admin.form("/member/erase", {"id": mover, "reason": "inschrijving in fout",
                                     "before_retention": "1", "sure": "1"})
    listed = out("member", "list", "--dir", home("coop"))
    check("erase: with before-retention and the confirmation she is erased (200), gone from "
          "'coop member list', and verify passes",
          r.status == 200 and "Vera" not in listed and
          run("verify", "--dir", home("coop"), ok=False)[0] == 0, (r.status, r.page.alerts))
    page = admin.get("/retention")
    check("erase: the retention page lists who left (200)", page.status == 200 and "Bewaartermijnen" in page.body,
          page.status)

    # ---- logout ------------------------------------------------------------------------------------------------------

    old_session = dict(admin.cookies)
    r = admin.form("/logout", {})
    check("logout: POST /logout with csrf is 303 to /login and clears the cookie",
          r.status == 303 and r.location == "/login" and not any(k.startswith("coop_session") for k in admin.cookies),
          (r.status, r.location))
    replay = Client(coop_url)
    replay.cookies = old_session
    r = replay.get("/")
    check("logout: the old session cookie no longer works", r.status == 303 and r.location == "/login",
          r.status)

    # ---- throttling (on Anna's node: real clock) ---------------------------------------------------------------------

    t = Client(anna_url)
    statuses = []
    for name, password in (("nobody", PASSWORD), ("anna", "wrong password 1"), ("anna", "wrong password 2"),
                           ("anna", "wrong password 3"), ("anna", "wrong password 4")):
        statuses.append(t.login(name, password).status)
    check("throttle: an unknown name and wrong passwords are 401", statuses == [401] * 5, statuses)
    r = t.login("anna")
    check("throttle: the 6th try is 429 even with the right password",
          r.status == 429 and not any(k.startswith("coop_session") for k in t.cookies), (r.status, r.page.alerts))
    r2 = Client(anna_url).login("other-name", "whatever pw")
    check("throttle: the address is throttled for another name too (429)", r2.status == 429, r2.status)
    time.sleep(1.3)
    r = t.login("anna")
    check("throttle: after waiting 1 s the right password works", r.status == 303, (r.status, r.page.alerts))
    statuses = [t.login("anna", "wrong password %d" % i).status for i in range(5)]
    r = t.login("anna", "wrong password 6")
    check("throttle: the lock starts again after 5 new failures (401 x5, then 429)",
          statuses == [401] * 5 and r.status == 429, (statuses, r.status))
    time.sleep(1.3)
    r = t.login("anna", "wrong password 7")
    r2 = t.login("anna")
    secs = re.search(r"over (\d+) seconden", r2.body)
    check("throttle: the next failure doubles the wait (429 naming 2 seconds)",
          r.status == 401 and r2.status == 429 and secs and secs.group(1) == "2",
          (r.status, r2.status, r2.page.alerts))
    time.sleep(2.3)
    r = t.login("anna")
    check("throttle: after the doubled wait the right password works", r.status == 303, r.status)



try:
    main()
except SystemExit:
    raise
except BaseException as e:  # a bug in a check, or a server that died: reported, not hidden
    import traceback
    traceback.print_exc()
    check("the script ran to its end", False, repr(e))
finish()
