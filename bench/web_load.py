#!/usr/bin/env python3
"""Load client for bench/bench_web.sh (Python 3 standard library only).

  web_load.py login HOST:PORT LINK NAME PASSWORD      -> prints the session cookie (NAME=VALUE)
  web_load.py measure HOST:PORT COOKIE N PATH...      -> one JSON line per PATH
  web_load.py hammer HOST:PORT COOKIE SECONDS PATH... -> requests until SECONDS or
                                                         SIGTERM; prints count

login: GETs the one-time welcome link, POSTs form_token (field and coop_form
cookie), token and password, then GETs /login and POSTs form_token, name and
password; the answer's coop_session_* cookie is the session.

measure: one keep-alive connection; for each PATH, 5 warm-up requests, then N
requests timed one after another (request sent to last body byte read):
median, p90, p99, max in ms, bytes of the body, requests/s.  Every answer must
be 200.
"""
import http.client
import json
import re
import signal
import sys
import time
import urllib.parse


def connect(address):
    host, port = address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=120)


def cookies_of(response):
    jar = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            first = value.split(";", 1)[0]
            key, _, val = first.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def request(conn, method, path, cookies, body=None):
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        body = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response, data


def form_token(html):
    match = re.search(rb'name="form_token" value="([0-9a-f]+)"', html)
    if not match:
        sys.exit("web_load: no form_token in the form")
    return match.group(1).decode()


def login(address, link, name, password):
    conn = connect(address)
    path = link[link.index("/welcome"):]
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["token"][0]
    response, html = request(conn, "GET", path, {})
    jar = cookies_of(response)
    response, html = request(conn, "POST", "/welcome", jar,
                             {"form_token": form_token(html), "token": token, "password": password})
    if response.status not in (302, 303):
        sys.exit(f"web_load: welcome answered {response.status}: {html[:300]!r}")
    response, html = request(conn, "GET", "/login", {})
    jar = cookies_of(response)
    response, html = request(conn, "POST", "/login", jar,
                             {"form_token": form_token(html), "name": name, "password": password})
    # The cookie's name carries the node's fingerprint (coop_session_XXXXXXXX).
    session = [f"{k}={v}" for k, v in cookies_of(response).items() if k.startswith("coop_session")]
    if response.status not in (302, 303) or not session:
        sys.exit(f"web_load: login answered {response.status}: {html[:300]!r}")
    print(session[0])


def percentile(sorted_values, fraction):
    # nearest rank
    index = max(0, min(len(sorted_values) - 1, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def measure(address, cookie, count, paths):
    conn = connect(address)
    jar = dict([cookie.split("=", 1)])
    for path in paths:
        for _ in range(5):
            response, body = request(conn, "GET", path, jar)
            if response.status != 200:
                sys.exit(f"web_load: {path} answered {response.status}: {body[:300]!r}")
        times = []
        size = 0
        started = time.perf_counter()
        for _ in range(count):
            t0 = time.perf_counter()
            response, body = request(conn, "GET", path, jar)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status != 200:
                sys.exit(f"web_load: {path} answered {response.status}")
            size = len(body)
        total = time.perf_counter() - started
        times.sort()
        print(json.dumps({"path": path, "n": count, "median_ms": round(percentile(times, 0.5), 2),
                          "p90_ms": round(percentile(times, 0.9), 2),
                          "p99_ms": round(percentile(times, 0.99), 2),
                          "max_ms": round(times[-1], 2), "bytes": size,
                          "per_second": round(count / total, 1)}), flush=True)


def hammer(address, cookie, seconds, paths):
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    conn = connect(address)
    jar = dict([cookie.split("=", 1)])
    done = 0
    end = time.monotonic() + seconds
    while not stop[0] and time.monotonic() < end:
        response, body = request(conn, "GET", paths[done % len(paths)], jar)
        if response.status != 200:
            sys.exit(f"web_load: {paths[done % len(paths)]} answered {response.status}")
        done += 1
    print(done, flush=True)


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "login":
        login(*sys.argv[2:6])
    elif len(sys.argv) >= 6 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    elif len(sys.argv) >= 6 and sys.argv[1] == "hammer":
        hammer(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
