// The logging page's service worker: lets a gate phone reload the page with no network.
//
// Served by views/logging.py under the page's own path (/checkpoints/<pk>/log/sw.js), so its
// scope is that page and nothing else. Network first: online, the page and its assets come
// fresh from the server (and a copy is kept); offline, the kept copy is shown. It never
// touches uploads or lookups (only GETs of the page and of the assets named at registration),
// and it keeps no checks: those live in the page's own queue (localStorage).
"use strict";

var CACHE = "epigrid-checkpoint-log-v1";
var PAGE = new URL("./", self.location).pathname;
var ASSETS = (function () {
  try {
    return JSON.parse(new URL(self.location).searchParams.get("assets") || "[]");
  } catch (e) {
    return [];
  }
})();

function keep(request, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      return cache.put(request, copy);
    });
  }
  return response;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        return Promise.all(
          [PAGE].concat(ASSETS).map(function (url) {
            return fetch(url, { credentials: "same-origin" })
              .then(function (response) {
                if (response.ok && !response.redirected) {
                  return cache.put(url, response);
                }
                return null;
              })
              .catch(function () {
                return null;
              });
          })
        );
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  var isPage = request.mode === "navigate" && url.pathname === PAGE;
  if (!isPage && ASSETS.indexOf(url.pathname) < 0) {
    return;
  }
  var key = isPage ? PAGE : url.pathname;
  event.respondWith(
    fetch(request)
      .then(function (response) {
        return keep(key, response);
      })
      .catch(function () {
        return caches.match(key).then(function (kept) {
          return kept || Response.error();
        });
      })
  );
});
