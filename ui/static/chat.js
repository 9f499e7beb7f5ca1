/* Chat page helpers (served inline in <head>; no external requests).
   1. Theme: the server default (ASSISTANT_THEME) unless the URL says ?__theme=light|dark.
   2. Citation markers [n] in answers open and scroll to source n in the sources panel.
   3. Accessible names Gradio's markup lacks: the starter list, the question box, citation links, message bubbles.
   4. Copy gives plain text with the references listed under it: [1] Section — "quoted sentence".
   5. In the widget's iframe: Escape asks the page to close the panel; the page can move focus to the question box. */
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

  // In the compact chat (the widget) and on small screens, sources open in a drawer over the chat, with a way back.
  function compactView() {
    return !!document.querySelector(".assistant-app.compact") || window.matchMedia("(max-width: 640px)").matches;
  }
  var lastCite = null;
  function openDrawer() {
    if (!document.getElementById("sources")) return;
    document.body.classList.add("sources-drawer-open");
    var back = document.getElementById("drawer-back");
    if (!back) {  // outside Gradio's markup, so its re-renders leave it alone
      back = document.createElement("button");
      back.type = "button";
      back.id = "drawer-back";
      back.textContent = "\u2190 Back to chat";
      back.addEventListener("click", closeDrawer);
      document.body.appendChild(back);
    }
  }
  function closeDrawer() {
    if (!document.body.classList.contains("sources-drawer-open")) return false;
    document.body.classList.remove("sources-drawer-open");
    if (lastCite && document.contains(lastCite)) lastCite.focus();
    return true;
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && closeDrawer()) { ev.stopImmediatePropagation(); ev.preventDefault(); }
  }, true);

  function openSource(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    var drawer = compactView();
    if (drawer) openDrawer();
    var turn = el.closest("details.turn");
    if (turn) turn.open = true;
    el.open = true;
    el.classList.remove("flash");
    void el.offsetWidth;
    el.classList.add("flash");
    setTimeout(function () {
      var mark = drawer ? el.querySelector("mark") : null;
      if (mark) mark.scrollIntoView({ block: "center" });
      else el.scrollIntoView({ behavior: drawer ? "auto" : "smooth", block: drawer ? "start" : "nearest" });
    }, 30);
    var summary = el.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
    opened = { id: id, el: el };
    return true;
  }
  // The source the reader opened stays open when the panel is rendered again (an answer's last update can
  // replace the panel's HTML just after a quick click on its citation).
  var opened = null;
  function keepOpened() {
    if (!opened) return;
    var now = document.getElementById(opened.id);
    if (!now || now === opened.el) return;
    opened.el = now;
    now.open = true;
    var turn = now.closest("details.turn");
    if (turn) turn.open = true;
  }
  // "Sources" beside the question box (phones, the widget): the newest answer's sources, in the drawer.
  document.addEventListener("click", function (ev) {
    var btn = ev.target && ev.target.closest ? ev.target.closest("#sources-open") : null;
    if (!btn) return;
    var first = document.querySelector("#sources details.turn");
    if (!first) return;
    ev.preventDefault();
    lastCite = btn;
    openDrawer();
    first.open = true;
    var panel = document.getElementById("sources");
    if (panel) panel.scrollTop = 0;
    var summary = first.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  }, true);
  document.addEventListener("click", function (ev) {
    var a = ev.target && ev.target.closest ? ev.target.closest("a.cite") : null;
    if (!a) return;
    var href = a.getAttribute("href") || "";
    if (href.charAt(0) !== "#") return;
    ev.preventDefault();
    ev.stopPropagation();
    lastCite = a;
    openSource(href.slice(1));
  }, true);

  // 3. Accessible names.
  function plain(el) {
    var clone = el.cloneNode(true);
    Array.prototype.forEach.call(clone.querySelectorAll(".searched, [aria-hidden='true'], svg, button"), function (n) { n.remove(); });
    return (clone.textContent || "").replace(/\s+/g, " ").trim();
  }
  function setAttr(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function fixA11y() {
    keepOpened();
    var chat = document.getElementById("chat");
    if (!chat) return;
    Array.prototype.forEach.call(chat.querySelectorAll(".examples"), function (el) {
      setAttr(el, "role", "group");
      setAttr(el, "aria-label", "Suggested questions");
    });
    Array.prototype.forEach.call(chat.querySelectorAll("a.cite[title]"), function (a) {
      setAttr(a, "aria-label", a.getAttribute("title"));
    });
    Array.prototype.forEach.call(chat.querySelectorAll("[data-testid='bot'], [data-testid='user']"), function (el) {
      var content = el.querySelector(".message-content") || el;
      var who = el.getAttribute("data-testid") === "bot" ? "Assistant" : "You";
      setAttr(el, "aria-label", who + ": " + plain(content));
    });
    var box = document.querySelector("#question textarea");
    if (box) setAttr(box, "aria-label", "Your question about the article");
    // "Read in the article" opens the article's page in the chat's theme.
    var dark = document.body.classList.contains("dark");
    Array.prototype.forEach.call(document.querySelectorAll("#sources a.read-article"), function (a) {
      var href = a.getAttribute("href") || "", cut = href.indexOf("#");
      var path = cut < 0 ? href : href.slice(0, cut), frag = cut < 0 ? "" : href.slice(cut);
      var want = path.split("?")[0] + (dark ? "?__theme=dark" : "") + frag;
      if (href !== want) a.setAttribute("href", want);
    });
    var embedTitle = document.getElementById("embed-title");
    var wantedTitle = new URLSearchParams(window.location.search).get("title");
    if (embedTitle && wantedTitle && embedTitle.textContent !== wantedTitle.slice(0, 120)) {
      embedTitle.textContent = wantedTitle.slice(0, 120);
      document.title = wantedTitle.slice(0, 120);
    }
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; fixA11y(); });
  }
  function observe() {
    fixA11y();
    new MutationObserver(schedule).observe(document.body, { subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["aria-label", "role"] });
  }
  if (document.body) observe(); else document.addEventListener("DOMContentLoaded", observe);

  // 4. Copy as plain text with references.
  function copyText(bots) {
    var lines = [], refs = [], seen = {};
    bots.forEach(function (bot) {
      var content = bot.querySelector(".message-content") || bot;
      lines.push(plain(content));
      Array.prototype.forEach.call(content.querySelectorAll("a.cite"), function (a) {
        var id = (a.getAttribute("href") || "").replace(/^#/, "");
        if (!id || seen[id]) return;
        seen[id] = true;
        var n = (a.textContent || "").trim();
        var src = document.getElementById(id);
        var section = src && src.querySelector(".section") ? src.querySelector(".section").textContent.trim()
          : (a.getAttribute("title") || "").replace(/^Citation \d+:\s*/, "");
        var quote = src && src.querySelector(".quote") ? src.querySelector(".quote").textContent.trim() : "";
        refs.push(n + " " + section + (quote ? " \u2014 \u201c" + quote + "\u201d" : ""));
      });
    });
    var text = lines.join("\n\n");
    return refs.length ? text + "\n\n" + refs.join("\n") : text;
  }
  function writeClipboard(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () { fallbackCopy(text); });
    }
    fallbackCopy(text);
  }
  function fallbackCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.style.cssText = "position:fixed;top:-1000px;opacity:0";
    document.body.appendChild(ta);
    ta.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    ta.remove();
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target && ev.target.closest ? ev.target.closest("#chat button[aria-label='Copy message']") : null;
    if (!btn) return;
    var group = btn.parentElement, bots = [];
    while (group && group.id !== "chat") {
      bots = Array.prototype.slice.call(group.querySelectorAll("[data-testid='bot']"));
      if (bots.length) break;
      group = group.parentElement;
    }
    if (!bots.length) return;
    ev.preventDefault();
    ev.stopImmediatePropagation();
    writeClipboard(copyText(bots));
    btn.setAttribute("title", "Copied");
    setTimeout(function () { btn.setAttribute("title", "Copy message"); }, 1500);
  }, true);

  // 5. Inside the widget's iframe.
  if (window.parent !== window) {
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") window.parent.postMessage({ type: "assistant-widget:close" }, "*");
    }, true);
    var focusWanted = false;
    function focusBox() {
      var box = document.querySelector("#question textarea");
      if (box) { box.focus(); focusWanted = false; return true; }
      return false;
    }
    window.addEventListener("message", function (ev) {
      if (ev.source !== window.parent || !ev.data || ev.data.type !== "assistant-widget:focus") return;
      focusWanted = true;
      if (!focusBox()) {
        var n = 0, t = setInterval(function () { if (focusBox() || ++n > 100) clearInterval(t); }, 100);
      }
    });
    var announced = setInterval(function () {
      if (document.querySelector("#question textarea")) {
        clearInterval(announced);
        window.parent.postMessage({ type: "assistant-widget:ready" }, "*");
      }
    }, 100);
  }
})();
