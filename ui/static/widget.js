/* Ask-the-article widget. Paste on any page:
     <script src="https://HOST/widget.js" data-title="…" data-position="bottom-right" async></script>
   Adds a launcher button that opens an iframe of HOST/embed/. Self-contained: it fetches nothing itself
   and the server origin is taken from this script's own src.
   Attributes: data-title, data-position ("bottom-right" | "bottom-left"), data-theme ("light" | "dark"),
   data-open ("true" to start open). */
(function () {
  "use strict";
  if (window.AssistantWidget) return;
  var DEFAULT_TITLE = __DEFAULT_TITLE__;
  var script = document.currentScript;
  if (!script || !/widget\.js(\?|#|$)/.test(script.src || "")) {
    var all = document.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) {
      if (/\/widget\.js(\?|#|$)/.test(all[i].src)) { script = all[i]; break; }
    }
  }
  if (!script) return;
  var origin = new URL(script.src, window.location.href).origin;
  var data = script.dataset || {};
  var title = (data.title || DEFAULT_TITLE || "Ask about the article").slice(0, 120);
  var left = data.position === "bottom-left";
  var theme = data.theme === "dark" || data.theme === "light" ? data.theme : "";

  function start() {
    var host = document.createElement("div");
    host.id = "assistant-widget";
    host.style.cssText = "position:fixed;z-index:2147483000;bottom:0;" + (left ? "left:0;" : "right:0;") + "width:0;height:0;";
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var side = left ? "left" : "right";
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial}" +
      ".launcher{position:fixed;bottom:20px;" + side + ":20px;width:58px;height:58px;border-radius:50%;border:0;" +
      "background:#2563eb;color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(15,23,42,.28);display:flex;" +
      "align-items:center;justify-content:center;padding:0;transition:transform .15s}" +
      ".launcher:hover{transform:scale(1.06)}.launcher:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}" +
      ".launcher svg{width:28px;height:28px}" +
      ".panel{position:fixed;bottom:90px;" + side + ":20px;width:min(400px,calc(100vw - 24px));" +
      "height:min(600px,calc(100vh - 110px));box-sizing:border-box;background:#fff;border-radius:14px;overflow:hidden;display:none;" +
      "flex-direction:column;box-shadow:0 12px 40px rgba(15,23,42,.3);border:1px solid #e2e8f0}" +
      ".panel.open{display:flex}" +
      ".bar{display:flex;align-items:center;gap:8px;padding:10px 12px;background:#2563eb;color:#fff;" +
      "font:600 15px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
      ".bar .t{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
      ".bar button{background:transparent;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;padding:0 4px}" +
      "iframe{flex:1;border:0;width:100%;background:#fff}" +
      // Phones: the panel opens full-screen (its bar's × closes it) and the page behind does not scroll.
      "@media (max-width:480px){.panel{inset:0;width:100vw;height:100vh;height:100dvh;border-radius:0;border:0}" +
      ".panel.open~.launcher,.launcher[aria-expanded=true]{display:none}}";
    root.appendChild(style);

    var button = document.createElement("button");
    button.className = "launcher";
    button.type = "button";
    button.setAttribute("aria-label", title);
    button.setAttribute("aria-expanded", "false");
    button.title = title;
    button.innerHTML = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" ' +
      'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5' +
      'a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';

    var panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", title);
    var bar = document.createElement("div");
    bar.className = "bar";
    var t = document.createElement("span");
    t.className = "t";
    t.textContent = title;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    bar.appendChild(t);
    bar.appendChild(close);
    panel.appendChild(bar);
    root.appendChild(button);  // launcher first: Tab goes launcher → panel
    root.appendChild(panel);

    var frame = null, wantFocus = false, savedOverflow = null;
    function open(quiet) {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.title = title;
        frame.setAttribute("allow", "clipboard-write");
        var query = "?title=" + encodeURIComponent(title) + (theme ? "&__theme=" + theme : "");
        frame.src = origin + "/embed/" + query;
        panel.appendChild(frame);
      }
      panel.classList.add("open");
      button.setAttribute("aria-expanded", "true");
      if (savedOverflow === null && window.matchMedia("(max-width: 480px)").matches) {
        savedOverflow = document.documentElement.style.overflow;
        document.documentElement.style.overflow = "hidden";
      }
      wantFocus = quiet !== true;
      if (wantFocus) focusChat();
    }
    // Focus goes into the chat's question box (the iframe focuses it when asked; it says when it is ready).
    function focusChat() {
      if (!frame) return;
      try { frame.focus(); } catch (e) { /* not focusable yet */ }
      if (frame.contentWindow) frame.contentWindow.postMessage({ type: "assistant-widget:focus" }, origin);
    }
    function isOpen() { return panel.classList.contains("open"); }
    function hide(refocus) {
      var was = isOpen();
      panel.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      if (savedOverflow !== null) { document.documentElement.style.overflow = savedOverflow; savedOverflow = null; }
      if (was && refocus) button.focus();
    }
    function toggle() { isOpen() ? hide(true) : open(); }
    button.addEventListener("click", toggle);
    close.addEventListener("click", function () { hide(true); });
    document.addEventListener("keydown", function (e) { if (e.key === "Escape" && isOpen()) hide(true); });
    window.addEventListener("message", function (e) {
      if (!frame || e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
      if (e.data.type === "assistant-widget:close" && isOpen()) hide(true);
      else if (e.data.type === "assistant-widget:ready" && isOpen() && wantFocus) { wantFocus = false; focusChat(); }
    });
    document.body.appendChild(host);
    window.AssistantWidget = { open: open, close: function () { hide(false); }, toggle: toggle, origin: origin };
    if (data.open === "true") open(true);  // opened with the page: focus stays where the visitor is
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
