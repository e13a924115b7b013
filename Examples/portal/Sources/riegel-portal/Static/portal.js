// The only script of the portal: while a page with a session is open, ask
// every data-poll seconds whether the session is still alive. The status
// call uses CheckSession with touch=false, so this poll never counts as
// activity: an idle session still ends, and the page then shows why.
(function () {
  "use strict";
  var seconds = parseInt(document.body.getAttribute("data-poll") || "0", 10);
  if (!seconds) { return; }
  function check() {
    fetch("/session/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (status) {
        if (!status.active) {
          window.location.assign("/logged-out?reason=" + encodeURIComponent(status.reason || "unknown"));
        }
      })
      .catch(function () { /* the portal is unreachable: try again next time */ });
  }
  window.setInterval(check, seconds * 1000);
})();
