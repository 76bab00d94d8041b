// Small enhancements for forms; every form works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Sign-up: tell the server the browser's time zone, so days are counted locally.
  var tz = document.querySelector("[data-timezone]");
  if (tz && !tz.value) {
    try {
      tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) { /* the server falls back to the country's zone */ }
  }

  // Check-in: show the safety question as soon as a very low mood is chosen, instead of
  // asking after the form is sent.
  var safety = document.querySelector("[data-safety]");
  if (safety) {
    var always = safety.hasAttribute("data-always");
    var update = function () {
      var picked = document.querySelector('input[name="mood"]:checked');
      var low = picked && Number(picked.value) <= 2;
      safety.classList.toggle("js-hidden", !(always || low || safety.querySelector("input:checked")));
    };
    document.querySelectorAll('input[name="mood"]').forEach(function (r) {
      r.addEventListener("change", update);
    });
    update();
  }

  // Move focus to a problem summary so screen readers announce it.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();

// Contact page: copy the drafted message to the clipboard in one tap.
(function () {
  "use strict";
  var button = document.querySelector("[data-copy]");
  var source = document.querySelector("[data-copy-source]");
  var status = document.querySelector("[data-copy-status]");
  if (!button || !source) { return; }
  button.addEventListener("click", function () {
    var done = function () { if (status) { status.textContent = "Copied. Paste it into a text or email."; } };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(source.value).then(done, function () {
        source.select();
        if (status) { status.textContent = "Selected. Copy it with your device's copy command."; }
      });
    } else {
      source.select();
      if (status) { status.textContent = "Selected. Copy it with your device's copy command."; }
    }
  });
})();

// Contact page: the Text and Email links carry the message as it stands, so an edited draft
// opens in the Messages or Mail app as edited. The links are rewritten here, in the page:
// the text goes from the device to the app and is never sent to the server.
(function () {
  "use strict";
  var source = document.querySelector("[data-draft]");
  var links = document.querySelectorAll("[data-draft-link]");
  if (!source || links.length === 0) { return; }
  var update = function () {
    var text = source.value;
    links.forEach(function (link) {
      var href = link.getAttribute("href");
      var q = href.indexOf("?");
      var base = q < 0 ? href : href.slice(0, q);
      if (link.getAttribute("data-draft-link") === "sms") {
        // "?&body=" is the one form both Android and iOS read.
        link.setAttribute("href", base + "?&body=" + encodeURIComponent(text));
      } else {
        var subject = "";
        var m = /[?&]subject=([^&]*)/.exec(href);
        if (m) { subject = m[1]; }
        // Mail bodies take CRLF line breaks (RFC 6068).
        var body = encodeURIComponent(text.replace(/\r?\n/g, "\r\n"));
        link.setAttribute("href", base + "?subject=" + subject + "&body=" + body);
      }
    });
  };
  source.addEventListener("input", update);
  update();
})();
