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
