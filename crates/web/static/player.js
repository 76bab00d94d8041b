// The guided player for a coping tool. The page works without this file: the steps are an
// ordered list and one form saves the ratings. With it, the steps are paced and timed, one
// at a time, between the rating before and the rating after.
//
// Screen readers hear each phase once, through a polite live region; the seconds are only
// shown. With reduced motion the breathing circle gives way to a plain text countdown.
(function () {
  "use strict";
  var form = document.querySelector("[data-player]");
  if (!form) { return; }
  // Marks the form as driven by this script: the stylesheet then shows one stage at a time.
  form.classList.add("is-live");

  var steps = Array.prototype.map.call(form.querySelectorAll("[data-steps] > li"), function (li) {
    return {
      cue: li.getAttribute("data-cue") || "guide",
      seconds: Math.max(1, parseInt(li.getAttribute("data-seconds"), 10) || 1),
      label: li.getAttribute("data-label") || "",
      text: li.getAttribute("data-text") || "",
      waits: li.hasAttribute("data-waits")
    };
  });
  if (steps.length === 0) { return; }

  var part = function (name) { return form.querySelector("[data-" + name + "]"); };
  var breathing = form.classList.contains("is-breathing");
  var pacer = part("pacer");
  var count = part("count");
  var phase = part("phase");
  var stepText = part("step-text");
  var countText = part("count-text");
  var where = part("where");
  var announce = part("announce");
  var startButton = part("start");
  var pauseButton = part("pause");
  var nextButton = part("next");
  var finishButton = part("finish");
  var roundsSelect = part("rounds");
  var startedAt = part("started-at");
  var playSection = form.querySelector(".stage-play");
  var afterHeading = part("after-heading");
  var doneLine = part("done-line");
  var writeFields = form.querySelectorAll("[data-write]");
  var title = document.querySelector("h1");

  Array.prototype.forEach.call(form.querySelectorAll("[data-js-show]"), function (n) {
    n.hidden = false;
  });

  // Reduced motion: no animation at all, a calm text countdown instead.
  var motion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var applyMotion = function () { form.classList.toggle("calm", Boolean(motion && motion.matches)); };
  applyMotion();
  if (motion && motion.addEventListener) { motion.addEventListener("change", applyMotion); }

  var state = {
    rounds: 1, round: 0, index: 0, left: 0, written: 0,
    timer: null, paused: false, waiting: false, lungs: "empty"
  };

  var setStage = function (stage) { form.setAttribute("data-stage", stage); };
  var say = function (text) { announce.textContent = text; };
  var stopTimer = function () {
    if (state.timer !== null) { window.clearTimeout(state.timer); state.timer = null; }
  };
  var schedule = function () {
    stopTimer();
    state.timer = window.setTimeout(tick, 1000);
  };
  var clockText = function (s) {
    if (s < 60) { return s + (s === 1 ? " second" : " seconds"); }
    var rest = s % 60;
    return Math.floor(s / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  };

  // Only the numbers change every second; nothing here is announced.
  var showCount = function () {
    if (count) { count.textContent = String(state.left); }
    if (state.waiting) {
      countText.textContent = "Take your time, then press Next.";
    } else if (breathing) {
      countText.textContent = String(state.left);
    } else {
      countText.textContent = clockText(state.left) + " left";
    }
  };

  var enter = function () {
    var step = steps[state.index];
    state.left = step.seconds;
    state.waiting = false;
    phase.textContent = step.label;
    stepText.textContent = step.text;
    if (breathing) {
      if (step.cue === "in") { state.lungs = "full"; }
      if (step.cue === "out") { state.lungs = "empty"; }
      pacer.className = "pacer cue-" + step.cue + " lungs-" + state.lungs + " dur-" + step.seconds;
      where.textContent = "Round " + (state.round + 1) + " of " + state.rounds;
      say(state.index === 0
        ? "Round " + (state.round + 1) + " of " + state.rounds + ". " + step.label
        : step.label);
    } else {
      where.textContent = (state.rounds > 1 ? "Round " + (state.round + 1) + " of " + state.rounds + " · " : "") +
        "Step " + (state.index + 1) + " of " + steps.length;
      say((state.index === 0 && state.rounds > 1 ? "Round " + (state.round + 1) + " of " + state.rounds + ". " : "") +
        (step.label ? step.label + ". " : "") + step.text);
    }
    nextButton.textContent = state.index === steps.length - 1 ? "Finish" : "Next step";
    if (step.cue === "write" && writeFields.length > 0) {
      var field = writeFields[Math.min(state.written, writeFields.length - 1)];
      state.written += 1;
      field.focus({ preventScroll: true });
    }
    showCount();
  };

  var finish = function (complete) {
    stopTimer();
    state.paused = false;
    form.classList.remove("paused");
    setStage("after");
    var name = title ? title.textContent : "the exercise";
    doneLine.textContent = complete
      ? "Well done: you finished " + name + "."
      : "You stopped there, and that is fine.";
    doneLine.hidden = false;
    say("");
    afterHeading.focus();
  };

  var advance = function () {
    state.index += 1;
    if (state.index >= steps.length) {
      state.index = 0;
      state.round += 1;
      if (state.round >= state.rounds) { finish(true); return; }
    }
    enter();
    schedule();
  };

  function tick() {
    state.timer = null;
    if (state.paused || state.waiting) { return; }
    state.left -= 1;
    if (state.left > 0) {
      showCount();
      schedule();
      return;
    }
    if (steps[state.index].waits) {
      state.waiting = true;
      state.left = 0;
      showCount();
      say("Take your time. Press Next when you are ready.");
      return;
    }
    advance();
  }

  var start = function () {
    state.rounds = roundsSelect ? Math.max(1, parseInt(roundsSelect.value, 10) || 1) : 1;
    state.round = 0;
    state.index = 0;
    state.written = 0;
    state.paused = false;
    state.lungs = "empty";
    if (startedAt) { startedAt.value = new Date().toISOString(); }
    pauseButton.textContent = "Pause";
    setStage("play");
    enter();
    schedule();
    if (!steps[0].waits || writeFields.length === 0) { pauseButton.focus({ preventScroll: true }); }
    playSection.scrollIntoView({ block: "start" });
  };

  var togglePause = function () {
    state.paused = !state.paused;
    form.classList.toggle("paused", state.paused);
    pauseButton.textContent = state.paused ? "Resume" : "Pause";
    if (state.paused) {
      stopTimer();
      say("Paused.");
    } else {
      say("Carrying on. " + (phase.textContent || stepText.textContent));
      if (!state.waiting) { schedule(); }
    }
  };

  startButton.addEventListener("click", start);
  pauseButton.addEventListener("click", togglePause);
  nextButton.addEventListener("click", function () {
    stopTimer();
    state.paused = false;
    form.classList.remove("paused");
    pauseButton.textContent = "Pause";
    advance();
  });
  finishButton.addEventListener("click", function () { finish(false); });

  // Move focus to a problem summary so screen readers announce it.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();
