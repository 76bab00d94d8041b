// Questionnaires on a phone: one question per screen with Back and Next. The form itself
// holds every question, so without this file (or on a wide screen) all of them show at once
// and the form works the same.
(function () {
  "use strict";
  var form = document.querySelector("[data-questionnaire]");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  var steps = Array.prototype.slice.call(form.querySelectorAll(".q-item"));
  var nav = form.querySelector("[data-q-nav]");
  var back = form.querySelector("[data-q-back]");
  var next = form.querySelector("[data-q-next]");
  var submit = form.querySelector("[data-q-submit]");
  var progress = form.querySelector("[data-q-progress]");
  var stepError = form.querySelector("[data-q-error]");
  var narrow = window.matchMedia("(max-width: 40rem)");
  if (!steps.length || !nav || !back || !next || !submit || !progress || !stepError) { return; }

  var required = steps.filter(function (s) { return !s.hasAttribute("data-optional"); }).length;
  var answered = function (step) { return !!step.querySelector("input:checked"); };
  var optional = function (step) { return step.hasAttribute("data-optional"); };

  // Start where attention is needed: the first question the server flagged, else the first
  // unanswered one.
  var current = steps.findIndex(function (s) { return s.classList.contains("invalid"); });
  if (current < 0) {
    current = steps.findIndex(function (s) { return !optional(s) && !answered(s); });
  }
  if (current < 0) { current = 0; }

  function clearStepError() {
    stepError.hidden = true;
    stepError.textContent = "";
  }

  function show(focus) {
    var stepping = narrow.matches;
    form.classList.toggle("stepping", stepping);
    steps.forEach(function (s, i) { s.hidden = stepping && i !== current; });
    nav.hidden = !stepping;
    progress.hidden = !stepping;
    var last = current === steps.length - 1;
    back.hidden = current === 0;
    next.hidden = last;
    submit.hidden = stepping && !last;
    if (stepping) {
      progress.textContent = optional(steps[current])
        ? "One last question, optional"
        : "Question " + (current + 1) + " of " + required;
    }
    if (focus && stepping) {
      if (form.getBoundingClientRect().top < 0) { form.scrollIntoView({ block: "start" }); }
      steps[current].focus({ preventScroll: true });
    }
  }

  function go(index) {
    clearStepError();
    current = Math.max(0, Math.min(steps.length - 1, index));
    show(true);
  }

  function forward() {
    var step = steps[current];
    if (!optional(step) && !answered(step)) {
      stepError.textContent = "Please choose an answer to go on.";
      stepError.hidden = false;
      var first = step.querySelector("input");
      if (first) { first.focus(); }
      return;
    }
    go(current + 1);
  }

  next.addEventListener("click", forward);
  back.addEventListener("click", function () { go(current - 1); });
  form.addEventListener("change", clearStepError);

  // Enter on an answer would send the whole form; while stepping it means "Next".
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !narrow.matches || e.target.type !== "radio") { return; }
    if (current < steps.length - 1) {
      e.preventDefault();
      forward();
    }
  });

  // Links in the problem summary lead to a question that may be hidden.
  document.querySelectorAll("#problems a[href^='#']").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var target = document.getElementById(a.getAttribute("href").slice(1));
      var index = steps.findIndex(function (s) { return s === target || s.contains(target); });
      if (index >= 0 && narrow.matches) {
        e.preventDefault();
        go(index);
      }
    });
  });

  var onResize = function () { show(false); };
  if (narrow.addEventListener) { narrow.addEventListener("change", onResize); }
  else if (narrow.addListener) { narrow.addListener(onResize); }
  show(false);

  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();
