/* notifier preview client, injected into served preview pages only (never into emails or files).
 *
 * Listens for rebuilds over Server-Sent Events, fetches the page again and swaps in the
 * regions marked data-live, so the chosen tab, width and colour scheme (and the page's own
 * state) survive every edit. The email frame reloads only when the email itself changed.
 */
(() => {
  "use strict";

  const KEY = "notifier-preview";
  const body = document.body;
  const frame = document.getElementById("email-frame");
  const status = document.getElementById("live-status");
  const state = Object.assign({ tab: "email", width: "600", scheme: "light", lang: "" },
    readState());
  let latest = body.dataset.epoch; // the newest build the server announced
  let busy = false;
  let again = false;
  let frameScroll = null;

  function readState() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) || "{}");
    } catch (err) {
      return {};
    }
  }

  function saveState() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(state));
    } catch (err) {
      /* storage may be disabled; the state then lasts as long as the page */
    }
  }

  function setStatus(kind, text) {
    if (status) {
      status.dataset.state = kind;
      status.textContent = text;
    }
  }

  function applyState() {
    const panels = Array.from(document.querySelectorAll("[data-panel]"));
    if (panels.length && !panels.some((p) => p.dataset.panel === state.tab)) {
      state.tab = "email";
    }
    panels.forEach((p) => { p.hidden = p.dataset.panel !== state.tab; });
    document.querySelectorAll("[data-tab]").forEach((b) => {
      b.setAttribute("aria-selected", String(b.dataset.tab === state.tab));
    });
    document.querySelectorAll("[data-width]").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.width === state.width));
    });
    document.querySelectorAll("[data-scheme]").forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.scheme === state.scheme));
    });
    // The language switch (a sheet with text in several languages): the email frame shows
    // the notice in the chosen language; the tabs keep the reader's own.
    const langs = Array.from(document.querySelectorAll("[data-lang]"));
    if (!langs.some((b) => b.dataset.lang === state.lang)) {
      state.lang = "";
    }
    langs.forEach((b) => { b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)); });
    if (frame) {
      frame.style.width = state.width + "px";
      frame.style.colorScheme = state.scheme;
      frame.parentElement.dataset.scheme = state.scheme;
      loadFrame();
      fitFrame();
    }
  }

  // Point the frame at the current email; a no-op when it already shows that version.
  function loadFrame() {
    const version = frame.dataset.version;
    frame.hidden = !version;
    if (!version) {
      return;
    }
    let page = state.scheme === "dark" ? frame.dataset.dark : frame.dataset.light;
    if (state.lang) {
      page = "lang/" + state.lang + "/" + page;
    }
    const wanted = page + "?v=" + version;
    if (frame.getAttribute("src") !== wanted) {
      const win = frame.contentWindow;
      frameScroll = win ? win.scrollY : null;
      frame.setAttribute("src", wanted);
    }
  }

  // Size the frame to its email so the page scrolls, not the frame.
  function fitFrame() {
    const doc = frame.contentDocument;
    if (!doc || !doc.documentElement || frame.hidden) {
      return;
    }
    const height = Math.ceil(doc.documentElement.getBoundingClientRect().height);
    if (height > 0) {
      frame.style.height = height + "px";
    }
  }

  function onFrameLoad() {
    const doc = frame.contentDocument;
    if (!doc) {
      return;
    }
    // Links are shown, not followed: the preview never navigates away from 127.0.0.1.
    doc.addEventListener("click", (event) => {
      const link = event.target.closest ? event.target.closest("a[href]") : null;
      if (link) {
        event.preventDefault();
        const out = document.getElementById("link-status");
        if (out) {
          out.textContent = "Link (not followed in preview): " + link.getAttribute("href");
        }
      }
    });
    if (frame.contentWindow) {
      frame.contentWindow.addEventListener("resize", () => requestAnimationFrame(fitFrame));
    }
    fitFrame();
    if (frameScroll !== null && frame.contentWindow) {
      frame.contentWindow.scrollTo(0, frameScroll);
      frameScroll = null;
    }
  }

  function swap(doc) {
    document.title = doc.title;
    doc.querySelectorAll("[data-live]").forEach((fresh) => {
      const old = document.querySelector('[data-live="' + fresh.dataset.live + '"]');
      if (old && old.innerHTML !== fresh.innerHTML) {
        old.innerHTML = fresh.innerHTML;
      }
    });
    const freshFrame = doc.getElementById("email-frame");
    if (frame && freshFrame) {
      ["version", "light", "dark"].forEach((k) => { frame.dataset[k] = freshFrame.dataset[k]; });
    }
    body.dataset.epoch = doc.body.dataset.epoch;
    applyState();
  }

  function gone(code) {
    const region = document.querySelector('[data-live="problems"]');
    if (region) {
      region.innerHTML = "";
      const p = document.createElement("p");
      p.textContent = "This page is no longer in the preview (" + code + "): the audience or its " +
        "notice changed in the fact sheet. ";
      const a = document.createElement("a");
      a.href = "/";
      a.textContent = "All notices";
      p.appendChild(a);
      region.appendChild(p);
    }
  }

  async function refresh() {
    busy = true;
    try {
      do {
        again = false;
        const resp = await fetch(location.pathname, { cache: "no-store" });
        if (!resp.ok) {
          gone(resp.status);
          body.dataset.epoch = latest;
          continue;
        }
        const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
        swap(doc);
      } while (again && latest !== body.dataset.epoch);
    } catch (err) {
      setStatus("offline", "disconnected; retrying…");
    } finally {
      busy = false;
    }
  }

  function onBuild(event) {
    const build = JSON.parse(event.data);
    latest = build.token;
    setStatus(build.ok ? "live" : "error", build.ok ? "live" : "sheet has problems");
    if (latest === body.dataset.epoch) {
      return;
    }
    if (busy) {
      again = true;
    } else {
      refresh();
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest ? event.target.closest("button") : null;
    if (!button) {
      return;
    }
    if (button.dataset.tab) {
      state.tab = button.dataset.tab;
    } else if (button.dataset.width) {
      state.width = button.dataset.width;
    } else if (button.dataset.scheme) {
      state.scheme = button.dataset.scheme;
    } else if (button.dataset.lang !== undefined) {
      state.lang = button.dataset.lang;
    } else {
      return;
    }
    saveState();
    applyState();
  });

  if (frame) {
    frame.addEventListener("load", onFrameLoad);
    const doc = frame.contentDocument;
    if (doc && doc.readyState === "complete" && doc.URL !== "about:blank") {
      onFrameLoad(); // it loaded before this script ran
    }
  }
  applyState();

  // One event stream per visible page. A browser keeps at most six connections to a host,
  // and each stream holds one, so a seventh preview tab would wait forever: a hidden tab
  // lets go of its stream, and on its return the server's first event is the newest build.
  let events = null;

  function connect() {
    if (events) {
      return;
    }
    // The page it serves: the server renders this notice first after an edit.
    events = new EventSource("/_preview/events?page=" + encodeURIComponent(location.pathname));
    events.addEventListener("build", onBuild);
    events.addEventListener("open", () => setStatus("live", "live"));
    events.addEventListener("error", () => setStatus("offline", "disconnected; retrying…"));
  }

  function disconnect() {
    if (events) {
      events.close();
      events = null;
      setStatus("paused", "paused while hidden");
    }
  }

  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  window.addEventListener("pagehide", disconnect);
  if (!document.hidden) {
    connect();
  }
})();
