/* The field pages' service worker, served at /sw.js (field/views.py fills in the paths).
   It keeps the field page and the static files it needs, so the page opens without signal; the
   page keeps its data and queue in IndexedDB itself. Every other request goes to the network
   untouched. A check-in or call-up link opened without signal gets the field page, which reads the
   code from the address. Cached pages older than 7 days are not served (personal data expires). */
"use strict";
const CACHE = "gongzhi-field-v1";
const STATIC = "__STATIC__";
const FIELD = "__FIELD__";
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const PRECACHE = [
  STATIC + "field/field.js",
  STATIC + "field/field.css",
  STATIC + "field/icon.svg",
  STATIC + "gongzhi/app.css",
  STATIC + "gongzhi/menu.js",
  STATIC + "vendor/htmx/htmx.min.js",
];
const LINKS = /^\/volunteers\/(check-in|answer)\/[^/]+\//;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PRECACHE.map(function (url) {
        return cache.add(url).catch(function () { /* one missing file must not stop the rest */ });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n.startsWith("gongzhi-field-") && n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("message", function (event) {
  if (event.data === "wipe") {
    event.waitUntil(caches.delete(CACHE));
  }
});

function fresh(response) {
  const date = Date.parse(response.headers.get("date") || "");
  return !date || Date.now() - date < MAX_AGE_MS;
}

async function fieldPage(request, fallbackToShell) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // Only the page itself, signed in: never a redirect to the sign-in page or an error.
    if (response.ok && !response.redirected && new URL(request.url).pathname === FIELD) {
      await cache.put(FIELD, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackToShell ? FIELD : request, { ignoreSearch: true, ignoreVary: true });
    if (cached && fresh(cached)) return cached;
    if (cached) await cache.delete(FIELD);
    return new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
        "<p>没有网络，本机也没有可用的外勤页面：请联网后打开一次“外勤”。</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
    );
  }
}

async function staticFile(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
  if (cached) {
    fetch(request).then(function (r) { if (r.ok) cache.put(request, r); }).catch(function () {});
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === FIELD) {
    event.respondWith(fieldPage(request, false));
  } else if (request.mode === "navigate" && LINKS.test(url.pathname)) {
    event.respondWith(fieldPage(request, true));
  } else if (PRECACHE.indexOf(url.pathname) >= 0) {
    event.respondWith(staticFile(request));
  }
});
