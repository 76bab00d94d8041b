// The thought record's form, made a little calmer when JavaScript runs: on a phone one step
// shows at a time (the links between steps already work without this, as jumps down the
// page), and the feelings typed in step 2 name their rows in step 8. Nothing here is needed
// to fill in or save a record.
(function () {
  'use strict';
  var form = document.querySelector('[data-thought-record]');
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll('.tr-step'));
  var phone = window.matchMedia('(max-width: 55.99rem)');
  var current = null;

  function stepOf(hash) {
    if (!hash || hash.length < 2) { return null; }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) { return null; }
    return target.classList.contains('tr-step') ? target : target.closest('.tr-step');
  }

  function show(step, focusTarget) {
    if (!step) { return; }
    steps.forEach(function (s) { s.classList.toggle('tr-current', s === step); });
    current = step;
    if (!phone.matches) { return; }
    var toFocus = focusTarget || step.querySelector('h2');
    window.scrollTo(0, 0);
    if (toFocus) { toFocus.focus({ preventScroll: true }); }
    if (toFocus && toFocus !== step.querySelector('h2')) {
      toFocus.scrollIntoView({ block: 'center' });
    }
  }

  function fromHash(focus) {
    var step = stepOf(window.location.hash);
    var target = null;
    if (step && window.location.hash.indexOf('#step-') !== 0) {
      target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    }
    show(step || current || steps[0], focus ? target : null);
  }

  function mode() {
    form.classList.toggle('tr-one-step', phone.matches);
  }

  // The error summary sits above the form: its links lead into the step that holds the field.
  window.addEventListener('hashchange', function () { fromHash(true); });
  // A step link shows its step at once; the address's #step-N follows, so Back works too.
  form.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#step-"]');
    if (link) { show(stepOf(link.getAttribute('href'))); }
  });
  if (phone.addEventListener) { phone.addEventListener('change', mode); }
  mode();
  var errored = form.querySelector('[aria-invalid="true"], .error');
  if (errored && !window.location.hash) {
    show(errored.closest('.tr-step'));
  } else {
    fromHash(false);
  }
  // After a reload the step's own heading should not steal the focus.
  if (document.activeElement && document.activeElement.tagName === 'H2' && !window.location.hash) {
    document.activeElement.blur();
  }

  // Feelings in the person's own words name their rows when rated again.
  form.querySelectorAll('[data-own-name]').forEach(function (input) {
    var label = form.querySelector('[data-own-label="' + input.getAttribute('data-own-name') + '"]');
    if (!label) { return; }
    var fallback = 'Your own feeling ' + (Number(input.getAttribute('data-own-name')) + 1);
    function copy() { label.textContent = input.value.trim() || fallback; }
    input.addEventListener('input', copy);
    copy();
  });
}());
