// Between's service worker. It keeps what must work without a network: "Get help now", the
// coping exercises and an offline page; and the safety plan, only when the person chose to
// keep it on this device. Every other page always comes from the server and is never stored.
//
// The server writes VERSION, CORE_PAGES, TOOLKIT_PAGES and STATIC_ASSETS above this file.
"use strict";

var STATIC_CACHE = "between-static-" + VERSION;
// Pages that work offline. Signed in, they carry the page frame of that account, so they are
// deleted on sign-out like the plan.
var PAGE_CACHE = "between-pages";
// The safety plan, kept only while the server says this browser chose to keep it.
var PLAN_CACHE = "between-plan";
var PLAN_URL = "/safety-plan";
var OFFLINE_URL = "/offline";
var HELP_URL = "/help";
var PLAN_HEADER = "between-plan-offline";
// Offline copies are refreshed at most this often while the person uses the app.
var WARM_EVERY_MS = 30 * 60 * 1000;

var warmed = { at: 0, session: null };
var warming = null;

function isOfflinePage(path) {
  return CORE_PAGES.indexOf(path) !== -1 || TOOLKIT_PAGES.indexOf(path) !== -1;
}

// Only "Get help now" for a chosen country is kept besides the plain pages: anything else in
// the address (such as arriving from a check-in) may add personal words to the page.
function pageKey(url) {
  if (url.search === "") return url.pathname;
  var params = new URLSearchParams(url.search);
  var keys = Array.from(params.keys());
  if (url.pathname === HELP_URL && keys.length === 1 && keys[0] === "country") {
    return HELP_URL + "?country=" + encodeURIComponent(params.get("country") || "");
  }
  return null;
}

self.addEventListener("install", function (event) {
  event.waitUntil(warmOnce(null).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) {
        return k.indexOf("between-static-") === 0 && k !== STATIC_CACHE;
      }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// Online, the worker stays out of the way of everything but "Get help now" and the safety
// plan, which must open even when a connection is there but does not work. Everything else
// is answered from the device only when the browser says it is offline.
function isOffline() {
  return self.navigator.onLine === false;
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== "GET") {
    // Signing out removes everything personal this worker keeps, before the server answers.
    if (req.method === "POST" && url.pathname === "/signout") {
      event.waitUntil(forgetPersonal());
    }
    return;
  }
  if (req.mode === "navigate" && url.pathname === PLAN_URL) {
    event.respondWith(planPage(event));
  } else if (req.mode === "navigate" && url.pathname === HELP_URL) {
    event.respondWith(networkFirst(event, url));
  } else if (!isOffline()) {
    return;
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  } else if (req.mode === "navigate") {
    event.respondWith(isOfflinePage(url.pathname) ? networkFirst(event, url) : fetch(req).catch(offlinePage));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var reply = function (type) { if (port) port.postMessage({ type: type }); };
  if (data.type === "warm") {
    var session = data.session === "in" ? "in" : "out";
    var due = Date.now() - warmed.at > WARM_EVERY_MS || warmed.session !== session;
    var work = (warming || Promise.resolve()).then(function () {
      return due ? warmOnce(session) : null;
    });
    event.waitUntil(work.then(function () { reply("warmed"); }, function () { reply("warmed"); }));
  } else if (data.type === "forget") {
    event.waitUntil(forgetPersonal().then(function () { reply("forgotten"); }));
  }
});

function networkFirst(event, url) {
  var key = pageKey(url);
  return fetch(event.request).then(function (res) {
    if (key && res.ok && res.type === "basic") {
      var copy = res.clone();
      event.waitUntil(caches.open(PAGE_CACHE).then(function (c) { return c.put(key, copy); }));
    }
    return res;
  }).catch(function () {
    return caches.open(PAGE_CACHE).then(function (c) {
      return (key ? c.match(key) : Promise.resolve(undefined)).then(function (hit) {
        if (hit) return hit;
        // Any "Get help now" is better than none: fall back to the person's own country.
        if (url.pathname === HELP_URL) {
          return c.match(HELP_URL).then(function (help) { return help || offlinePage(); });
        }
        return offlinePage();
      });
    });
  });
}

// The plan page itself is never cached here: the page's script stores a copy only when the
// server says this browser keeps it. This worker removes the copy as soon as the server says
// otherwise or the person is signed out, and serves the copy when there is no network.
function planPage(event) {
  return fetch(event.request).then(function (res) {
    if (res.type === "opaqueredirect" || res.headers.get(PLAN_HEADER) === "drop") {
      event.waitUntil(caches.delete(PLAN_CACHE));
    }
    return res;
  }).catch(function () {
    return caches.open(PLAN_CACHE).then(function (c) { return c.match(PLAN_URL); })
      .then(function (hit) { return hit || offlinePage(); });
  });
}

function offlinePage() {
  return caches.open(PAGE_CACHE).then(function (c) { return c.match(OFFLINE_URL); }).then(function (hit) {
    return hit || new Response(
      "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Offline · Between</title>" +
      "<h1>You are offline</h1><p>If you are in danger, call your local emergency number now.</p>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
    );
  });
}

function warmOnce(session) {
  if (!warming) {
    warming = warm().then(refreshPlan).then(function () {
      warmed = { at: Date.now(), session: session };
    }).finally(function () { warming = null; });
  }
  return warming;
}

// Fetches every offline page as the browser is now (signed in or not) and the files they
// use. A page that now sends to sign-in (a redirect, not followed) is removed instead.
function warm() {
  var assets = STATIC_ASSETS.slice();
  return caches.open(PAGE_CACHE).then(function (pages) {
    var paths = CORE_PAGES.concat(TOOLKIT_PAGES);
    return paths.reduce(function (chain, path) {
      return chain.then(function () {
        // The header asks for the page without personal numbers: a kept copy of a toolkit
        // page shows the steps, not how well each tool has worked for this person.
        return fetch(path, {
          credentials: "same-origin", cache: "no-store", redirect: "manual",
          headers: { "between-offline-copy": "1" },
        }).then(function (res) {
          if (!res.ok) {
            // An unread body keeps its connection busy, and browsers allow only a few.
            if (res.body) res.body.cancel();
            return pages.delete(path);
          }
          return res.clone().text().then(function (html) {
            var re = /(?:src|href)="(\/static\/[^"]+)"/g;
            var m;
            while ((m = re.exec(html)) !== null) assets.push(m[1].replace(/&amp;/g, "&"));
            return pages.put(path, res);
          });
        }).catch(function () { /* offline right now: keep what is there */ });
      });
    }, Promise.resolve());
  }).then(function () {
    return caches.open(STATIC_CACHE).then(function (statics) {
      var unique = assets.filter(function (a, i) { return assets.indexOf(a) === i; });
      return Promise.all(unique.map(function (a) {
        return statics.match(a).then(function (hit) {
          return hit || statics.add(a).catch(function () { /* try again next time */ });
        });
      }));
    });
  });
}

// A kept plan is refreshed along with the pages, so an edit made on another device reaches
// this one; if the server no longer says "keep" (turned off, or signed out), it goes.
function refreshPlan() {
  return caches.open(PLAN_CACHE).then(function (plans) {
    return plans.match(PLAN_URL).then(function (kept) {
      if (!kept) return null;
      return fetch(PLAN_URL, { credentials: "same-origin", cache: "no-store", redirect: "manual" }).then(function (res) {
        if (res.ok && res.headers.get(PLAN_HEADER) === "keep") return plans.put(PLAN_URL, res);
        if (res.body) res.body.cancel();
        if (res.type === "opaqueredirect" || res.headers.get(PLAN_HEADER) === "drop") return caches.delete(PLAN_CACHE);
        return null;
      }).catch(function () { /* offline right now: keep the copy */ });
    });
  });
}

function forgetPersonal() {
  warmed = { at: 0, session: null };
  return Promise.all([caches.delete(PLAN_CACHE), caches.delete(PAGE_CACHE)]);
}
