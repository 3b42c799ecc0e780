// The import job's progress bar takes its width from data-percent: written as a style attribute in the markup
// it would need 'unsafe-inline' in the Content-Security-Policy, set from a script file it does not. htmx
// replaces the bar every few seconds while the job runs; onLoad runs for the page and for each new part.
(function () {
  "use strict";
  function widen(root) {
    var bars = root.querySelectorAll ? root.querySelectorAll(".progress-bar[data-percent]") : [];
    Array.prototype.forEach.call(bars, function (bar) {
      var percent = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0));
      bar.style.width = percent + "%";
    });
  }
  widen(document);
  if (window.htmx) { window.htmx.onLoad(widen); }
})();
