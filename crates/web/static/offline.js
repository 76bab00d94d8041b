// Offline support on every page: registers the service worker, keeps or removes the offline
// copy of the safety plan as the person chose, clears personal copies after sign-out, and
// wires up the print buttons. Every page works without this file; only offline use needs it.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var PLAN_CACHE = "between-plan";
  var PAGE_CACHE = "between-pages";
  var PLAN_URL = "/safety-plan";
  var PLAN_HEADER = "between-plan-offline";
  var session = root.getAttribute("data-session") === "in" ? "in" : "out";
  var planChoice = document.querySelector("[data-plan-offline]");
  var planStatus = document.querySelector("[data-plan-offline-status]");

  function say(text) {
    if (planStatus) planStatus.textContent = text;
  }

  if (!("serviceWorker" in navigator) || !("caches" in window)) {
    if (planChoice) say("This browser cannot keep pages for offline use, so nothing is stored.");
    root.setAttribute("data-offline", "unavailable");
    return;
  }

  // The sign-in page shows only when this browser has no session (signed out, or expired):
  // nothing personal stays then, even if the worker missed the sign-out.
  var forgotten = document.querySelector("[data-signed-out]")
    ? Promise.all([caches.delete(PLAN_CACHE), caches.delete(PAGE_CACHE)])
    : Promise.resolve();

  // Sends a message to the worker and waits for its answer (or gives up after a while).
  function ask(worker, message) {
    return new Promise(function (resolve) {
      if (!worker) { resolve(); return; }
      var channel = new MessageChannel();
      var timer = setTimeout(resolve, 30000);
      channel.port1.onmessage = function () { clearTimeout(timer); resolve(); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  // The plan page tells whether this browser keeps a copy; the server decides, per sign-in.
  function syncPlan() {
    if (!planChoice) return Promise.resolve();
    if (planChoice.getAttribute("data-plan-offline") !== "keep") {
      return caches.delete(PLAN_CACHE).then(function () {
        say("Nothing of your plan is stored on this device.");
      });
    }
    return fetch(PLAN_URL, { credentials: "same-origin", cache: "no-store", redirect: "manual" }).then(function (res) {
      if (res.ok && res.headers.get(PLAN_HEADER) === "keep") {
        return caches.open(PLAN_CACHE).then(function (c) { return c.put(PLAN_URL, res); }).then(function () {
          say("It is ready to open without a connection.");
        });
      }
      // An unread body keeps its connection busy.
      if (res.body) res.body.cancel();
      return caches.delete(PLAN_CACHE);
    }).catch(function () {
      say("It will be stored the next time this page opens with a connection.");
    });
  }

  // The offline page shows links only to what this device has.
  function revealCached() {
    var links = document.querySelectorAll("[data-if-cached]");
    return Promise.all(Array.prototype.map.call(links, function (el) {
      return caches.match(el.getAttribute("data-if-cached")).then(function (hit) {
        if (hit) el.hidden = false;
      });
    }));
  }

  revealCached();
  forgotten
    .then(function () { return navigator.serviceWorker.register("/sw.js", { scope: "/" }); })
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (registration) { return ask(registration.active, { type: "warm", session: session }); })
    .then(syncPlan)
    .then(function () { root.setAttribute("data-offline", "ready"); })
    .catch(function () { root.setAttribute("data-offline", "unavailable"); });
})();
