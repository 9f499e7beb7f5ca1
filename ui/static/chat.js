/* Chat page helpers (served inline in <head>; no external requests).
   1. Theme: the server default (ASSISTANT_THEME) unless the URL says ?__theme=light|dark.
   2. Citation markers [n] in answers open and scroll to source n in the sources panel. */
(function () {
  "use strict";
  function wanted() {
    var p = new URLSearchParams(window.location.search).get("__theme");
    return p === "dark" || p === "light" ? p : (window.ASSISTANT_THEME || "light");
  }
  function applyTheme() {
    if (!document.body) return;
    document.body.classList.toggle("dark", wanted() === "dark");
  }
  document.addEventListener("DOMContentLoaded", applyTheme);
  // Gradio sets the theme itself once it has loaded; re-apply ours after it.
  var tries = 0;
  var timer = setInterval(function () {
    applyTheme();
    if (++tries > 40 || document.querySelector(".gradio-container #chat")) { applyTheme(); clearInterval(timer); }
  }, 100);

  function openSource(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    var turn = el.closest("details.turn");
    if (turn) turn.open = true;
    el.open = true;
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
    setTimeout(function () { el.scrollIntoView({ behavior: "smooth", block: "nearest" }); }, 30);
    var summary = el.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
    return true;
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!a) return;
    var href = a.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return;
    ev.preventDefault();
    ev.stopPropagation();
    openSource(href.slice(1));
  }, true);
})();
