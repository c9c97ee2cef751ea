// The offline shell: static files from the cache, the quiz page from the network with its last copy as
// a fallback, so a reload (or the time running out) while offline shows the quiz, never the browser's
// error page. Answers live in localStorage (quiz.js); the server's deadline still decides what counts.
"use strict";
var STATIC = "cds-static-v1";
var PAGES = "cds-quiz-pages-v1";
var QUIZ_PAGE = /^\/thi(-thu)?\/\d+$/;  // the quiz and the practice ("Thi thử")
var SUBMIT = /^\/thi(-thu)?\/(\d+)\/nop$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== STATIC && n !== PAGES; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function fromCacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function quizPage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) { return cache.match(request.url); }).then(function (hit) {
      return hit || offlinePage();
    });
  });
}

function offlinePage() {
  var body = "<!doctype html><html lang=vi><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>" +
    "<title>Chưa có mạng</title><body style='font:18px/1.5 system-ui,sans-serif;padding:1rem'><h1>Chưa có mạng</h1>" +
    "<p>Điện thoại đang mất kết nối. Câu trả lời đã chọn vẫn được giữ trên máy. Khi có mạng, hãy tải lại trang.</p></body></html>";
  return new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.method === "GET" && QUIZ_PAGE.test(url.pathname)) {
    event.respondWith(quizPage(request));
  } else if (request.method === "POST" && request.mode === "navigate" && SUBMIT.test(url.pathname)) {
    // a submit that cannot leave the phone: back to the quiz page, which submits once the network returns
    var quiz = url.pathname.replace(SUBMIT, "/thi$1/$2");
    event.respondWith(fetch(request).catch(function () { return Response.redirect(quiz, 303); }));
  }
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.forget) {  // the attempt is graded: its page copy is no longer needed
    caches.open(PAGES).then(function (cache) { cache.delete(new URL(event.data.forget, self.location.origin).href); });
  }
});
